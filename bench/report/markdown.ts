// Renders a BenchReport as Markdown tables (for docs/benchmarks.md): `npm run bench -- --markdown PATH`.
import type { BenchReport, CaseReport } from './summary.js';

const n = (v: number | undefined, d: number): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));

function caseTable(c: CaseReport): string {
  const lines = [
    `**${c.name}** — ${c.title}; ${c.generator}; noise up to ${Math.max(0, ...c.rounds.map((r) => r.noise_max_cores)).toFixed(2)} cores`,
    '',
    '| row | rps | vs weft | p50 ms | p99 ms | CPU s/1k | RSS idle MB | RSS load MB | proxy core | spread |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of c.rows) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.name} | ${r.status}: ${(r.error ?? '').replace(/\|/g, '\\|')} | | | | | | | | |`);
      continue;
    }
    const mark = r.saturated === 'client' ? ' \\*' : c.rate_rps === undefined && r.saturated === 'neither' ? ' ~' : '';
    lines.push(
      `| ${r.name}${mark} | ${Math.round(r.rps!).toLocaleString('en-US')} | ${r.rps_vs_weft == null ? '-' : `${r.rps_vs_weft.toFixed(2)}×`} | ${n(r.p50_ms, 2)} | ${n(r.p99_ms, 2)} | ${n(r.cpu_s_per_1k, 4)} | ${n(r.rss_idle_mb, 0)} | ${n(r.rss_mb, 0)} | ${r.proxy_core_util === undefined ? '-' : `${Math.round(r.proxy_core_util * 100)} %`} | ${r.rps_spread === undefined ? '-' : `${Math.round(r.rps_spread * 100)} %`} |`,
    );
  }
  return lines.join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const v = Object.entries(report.versions).map(([k, x]) => `${k} ${x}`).join(', ');
  const head = [
    `${report.mode} run of ${report.started_at}: medians of ${report.rounds} interleaved round(s) × ${report.duration_s} s, warm-up ${report.warmup_s} s;`,
    `${report.host.cpu}, ${report.host.cores} cores, Linux ${report.host.kernel}, Node ${report.host.node}. ${report.method.pinning}. Origin: ${report.method.origin}.`,
    '',
    `Versions: ${v}.`,
    ...report.warnings.map((w) => `\n**Warning:** ${w}`),
  ];
  return `${[...head, '', ...report.cases.map(caseTable).flatMap((t) => [t, ''])].join('\n')}`;
}
