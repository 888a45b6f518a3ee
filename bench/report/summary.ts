// The report document: medians across rounds per row, ratios to Weft; the JSON written by --json and under bench/results/.
import type { CaseRun, RowRun, RowStatus } from '../macro.js';
import type { Measurement } from '../measure.js';
import { median, spread } from '../stats.js';

/** Which core limited a row: its own (the proxy is the bottleneck, as intended) or core 0 (generator + origin). */
export type Saturated = 'proxy' | 'client' | 'neither';

/**
 * One row of a case. A row that ran has every metric; one that did not (`status` "n/a",
 * "unavailable" or "failed") has only `name`, `status` and `error`.
 */
export interface RowReport {
  name: string;
  status: RowStatus;
  error?: string;
  rps?: number;
  p50_ms?: number;
  p99_ms?: number;
  cpu_s_per_1k?: number;
  /** Loaded RSS: the peak during a round, median over rounds. */
  rss_mb?: number;
  rss_idle_mb?: number;
  rps_vs_weft?: number | null;
  proxy_core_util?: number;
  client_core_util?: number;
  upstream_cpu_s_per_1k?: number;
  saturated?: Saturated;
  /** (max - min) / median of rps across rounds. */
  rps_spread?: number;
  non_2xx?: number;
  errors?: number;
  rounds?: { rps: number; p50_ms: number; p99_ms: number; cpu_s_per_1k: number; rss_mb: number; noise_cores: number }[];
}

export interface CaseReport {
  name: string;
  title: string;
  protocol: string;
  path: string;
  generator: string;
  rate_rps?: number;
  seconds: number;
  rounds: { noise_before_cores: number; noise_max_cores: number; repeated: boolean }[];
  rows: RowReport[];
}

export interface BenchReport {
  schema: 'weft-bench/1';
  started_at: string;
  finished_at: string;
  mode: string;
  rounds: number;
  duration_s: number;
  warmup_s: number;
  host: Record<string, string | number>;
  versions: Record<string, string>;
  method: Record<string, string>;
  warnings: string[];
  cases: CaseReport[];
}

const r = (v: number, digits: number): number => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

function med(rounds: readonly Measurement[], pick: (m: Measurement) => number): number {
  return median(rounds.map(pick));
}

export function summarizeRow(run: RowRun): RowReport {
  if (run.status !== 'ok' || run.rounds.length === 0) {
    return { name: run.name, status: run.status === 'ok' ? 'failed' : run.status, error: run.error ?? 'no round completed' };
  }
  const m = run.rounds;
  const proxyUtil = med(m, (x) => x.proxyCoreUtil);
  const clientUtil = med(m, (x) => x.clientCoreUtil);
  const saturated: Saturated = proxyUtil >= 0.9 ? 'proxy' : clientUtil >= 0.9 ? 'client' : 'neither';
  return {
    name: run.name,
    status: 'ok',
    rps: r(med(m, (x) => x.rps), 1),
    p50_ms: r(med(m, (x) => x.p50Ms), 3),
    p99_ms: r(med(m, (x) => x.p99Ms), 3),
    cpu_s_per_1k: r(med(m, (x) => x.cpuPer1k), 5),
    rss_mb: r(med(m, (x) => x.rssMb), 1),
    rss_idle_mb: r(run.idleRssMb ?? Number.NaN, 1),
    rps_vs_weft: null,
    proxy_core_util: r(proxyUtil, 3),
    client_core_util: r(clientUtil, 3),
    upstream_cpu_s_per_1k: r(med(m, (x) => x.upstreamCpuPer1k), 5),
    saturated,
    rps_spread: r(spread(m.map((x) => x.rps)), 3),
    non_2xx: m.reduce((s, x) => s + x.non2xx, 0),
    errors: m.reduce((s, x) => s + x.errors, 0),
    rounds: m.map((x) => ({
      rps: r(x.rps, 1),
      p50_ms: r(x.p50Ms, 3),
      p99_ms: r(x.p99Ms, 3),
      cpu_s_per_1k: r(x.cpuPer1k, 5),
      rss_mb: r(x.rssMb, 1),
      noise_cores: r(x.noiseCores, 3),
    })),
  };
}

export function summarizeCase(run: CaseRun): CaseReport {
  const rows = run.rows.map(summarizeRow);
  const weft = rows.find((x) => x.name === 'weft' && x.status === 'ok');
  for (const row of rows) {
    if (row.status === 'ok') row.rps_vs_weft = weft?.rps ? r(row.rps! / weft.rps, 3) : null;
  }
  const c = run.benchCase;
  return {
    name: c.name,
    title: c.title,
    protocol: c.protocol,
    path: c.path,
    generator: run.generator,
    ...(c.rate !== undefined ? { rate_rps: c.rate } : {}),
    seconds: r(run.seconds, 1),
    rounds: run.rounds.map((x) => ({ noise_before_cores: r(x.noiseBefore, 3), noise_max_cores: r(x.noiseMax, 3), repeated: x.repeated })),
    rows,
  };
}
