// Renders a BenchReport as an SVG bar chart: one panel per case, a bar of rps per row, p99 written on each bar.
import type { BenchReport, CaseReport } from './summary.js';

const COLORS: Record<string, string> = {
  direct: '#9aa5b1',
  weft: '#2f6fdf',
  'http-proxy': '#e8a33d',
  'fastify-http-proxy': '#d4634a',
  nginx: '#3c9d5d',
};

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function colorOf(name: string): string {
  return COLORS[name] ?? (name.startsWith('weft:') ? '#7aa2ee' : '#888888');
}

const ROW_H = 26;
const LABEL_W = 170;
const BAR_W = 520;
const WIDTH = LABEL_W + BAR_W + 150;

function panel(c: CaseReport, y0: number): { svg: string; height: number } {
  const parts: string[] = [];
  parts.push(`<text x="10" y="${y0 + 18}" class="title">${escape(c.name)}</text>`);
  parts.push(`<text x="10" y="${y0 + 34}" class="sub">${escape(`${c.title} — ${c.generator}`)}</text>`);
  const max = Math.max(1, ...c.rows.map((r) => r.rps ?? 0));
  let y = y0 + 46;
  for (const row of c.rows) {
    parts.push(`<text x="${LABEL_W - 8}" y="${y + 17}" class="label" text-anchor="end">${escape(row.name)}</text>`);
    if (row.status === 'ok' && row.rps !== undefined) {
      const w = Math.max(1, (row.rps / max) * BAR_W);
      parts.push(`<rect x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW_H - 6}" fill="${colorOf(row.name)}"/>`);
      const ratio = row.rps_vs_weft != null && !row.name.startsWith('weft') ? ` · ${row.rps_vs_weft.toFixed(2)}× weft` : '';
      const text = `${Math.round(row.rps).toLocaleString('en-US')} rps · p99 ${row.p99_ms!.toFixed(2)} ms${ratio}`;
      parts.push(`<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 17}" class="value">${escape(text)}</text>`);
    } else {
      const why = row.error ? `: ${row.error.length > 90 ? `${row.error.slice(0, 89)}…` : row.error}` : '';
      parts.push(`<text x="${LABEL_W}" y="${y + 17}" class="na">${escape(`${row.status}${why}`)}</text>`);
    }
    y += ROW_H;
  }
  return { svg: parts.join('\n'), height: y - y0 + 16 };
}

export function renderSvg(report: BenchReport): string {
  const panels: string[] = [];
  let y = 40;
  for (const c of report.cases) {
    const p = panel(c, y);
    panels.push(p.svg);
    y += p.height;
  }
  const header = `Weft bench — ${report.mode} run ${report.started_at} — medians of ${report.rounds} round(s) × ${report.duration_s} s`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH + 120}" height="${y + 10}" viewBox="0 0 ${WIDTH + 120} ${y + 10}" font-family="Helvetica, Arial, sans-serif">
<style>
.title { font-size: 15px; font-weight: bold; fill: #222; }
.sub { font-size: 11px; fill: #555; }
.label { font-size: 12px; fill: #222; }
.value { font-size: 11px; fill: #222; }
.na { font-size: 11px; fill: #999; font-style: italic; }
.head { font-size: 13px; fill: #222; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="10" y="22" class="head">${escape(header)}</text>
${panels.join('\n')}
</svg>
`;
}
