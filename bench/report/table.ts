// Renders a BenchReport as the plain-text table `npm run bench` prints on stdout.
import type { BenchReport, CaseReport, RowReport } from './summary.js';

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmt = (n: number | undefined, digits: number): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));
const pct = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '-' : `${Math.round(n * 100)}%`);

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
}

const HEAD = ['row', 'rps', 'vs weft', 'p50 ms', 'p99 ms', 'CPU s/1k', 'RSS idle', 'RSS load', 'proxy core', 'spread'];

function rowCells(row: RowReport, closedLoop: boolean): string[] {
  if (row.status !== 'ok') return [row.name, `${row.status}: ${row.error ?? ''}`];
  const mark = row.saturated === 'client' ? ' *' : closedLoop && row.saturated === 'neither' ? ' ~' : '';
  return [
    row.name + mark,
    fmtInt(row.rps!),
    row.rps_vs_weft == null ? '-' : `${row.rps_vs_weft.toFixed(2)}x`,
    fmt(row.p50_ms, 2),
    fmt(row.p99_ms, 2),
    fmt(row.cpu_s_per_1k, 4),
    `${fmt(row.rss_idle_mb, 0)} MB`,
    `${fmt(row.rss_mb, 0)} MB`,
    pct(row.proxy_core_util),
    pct(row.rps_spread),
  ];
}

export function renderCase(c: CaseReport): string {
  const lines: string[] = [];
  lines.push(`${c.name} — ${c.title}`);
  lines.push(`  load: ${c.generator}`);
  const closedLoop = c.rate_rps === undefined;
  const cells = c.rows.map((r) => rowCells(r, closedLoop));
  const widths = HEAD.map((h, i) => Math.max(h.length, ...cells.filter((x) => x.length > 2 || i === 0).map((x) => x[i]!.length)));
  lines.push(`  ${pad(HEAD, widths)}`);
  for (const row of cells) lines.push(`  ${row.length > 2 ? pad(row, widths) : `${row[0]!.padEnd(widths[0]!)}  ${row[1]}`}`);
  if (c.rows.some((x) => x.saturated === 'client')) {
    lines.push('  * core 0 (load generator + origin) was saturated, not the proxy: the row is bounded by the client side');
  }
  if (closedLoop && c.rows.some((x) => x.saturated === 'neither')) {
    lines.push('  ~ neither the proxy\'s core nor core 0 was saturated: other processes took the CPU (see noise); the figure understates the row');
  }
  const noise = c.rounds.map((x) => x.noise_max_cores);
  const repeated = c.rounds.filter((x) => x.repeated).length;
  if (noise.length > 0) {
    lines.push(
      `  noise: other processes used up to ${Math.max(...noise).toFixed(2)} cores during the rounds` +
        `${repeated > 0 ? `; ${repeated} noisy round(s) repeated once` : ''} (${c.seconds.toFixed(0)} s)`,
    );
  }
  return lines.join('\n');
}

export function renderReport(report: BenchReport): string {
  const out: string[] = [];
  const v = Object.entries(report.versions).map(([k, x]) => `${k} ${x}`).join(', ');
  out.push(`Weft bench — ${report.mode} run, ${report.started_at} — medians of ${report.rounds} interleaved round(s) × ${report.duration_s} s, warm-up ${report.warmup_s} s`);
  out.push(`machine: ${report.host.cpu}, ${report.host.cores} cores, Linux ${report.host.kernel}, Node ${report.host.node}`);
  for (const [k, x] of Object.entries(report.method)) out.push(`${k}: ${x}`);
  out.push(`versions: ${v}`);
  for (const w of report.warnings) out.push(`WARNING: ${w}`);
  out.push('');
  for (const c of report.cases) {
    out.push(renderCase(c));
    out.push('');
  }
  out.push('columns: rps = requests/s; vs weft = rps / Weft rps; p50/p99 = latency; CPU s/1k = CPU seconds of the row\'s process tree per 1,000');
  out.push('requests (the origin\'s own for `direct`); RSS idle after start, RSS load = peak while loaded; proxy core = share of its core');
  out.push('the row used; spread = (max - min) / median of rps over the rounds.');
  return out.join('\n');
}
