// `npm run bench -- --micro`: runs every bench/micro/*.bench.ts module with tinybench and prints one table.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import type { BenchOptions } from './options.js';
import { distPath } from './paths.js';

/** What a micro benchmark module exports by default: a function that adds its tasks to the bench. */
export type MicroModule = (bench: Bench) => void | Promise<void>;

export interface MicroRow {
  module: string;
  task: string;
  /** Median throughput (medians resist the outliers a shared machine causes). */
  ops_per_s: number;
  median_ns: number;
  mean_ns: number;
  p99_ns: number;
  rme_pct: number;
  samples: number;
  error?: string;
}

/** Compiled micro benchmark modules, by file name, optionally filtered. */
export function findMicroModules(filter?: string): string[] {
  const dir = distPath('bench/micro');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bench.js') && (filter === undefined || f.includes(filter)))
    .sort()
    .map((f) => join(dir, f));
}

export async function runMicroModule(file: string, timeMs: number): Promise<MicroRow[]> {
  const name = file.slice(file.lastIndexOf('/') + 1).replace(/\.bench\.js$/, '');
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (typeof mod.default !== 'function') {
    return [{ module: name, task: '-', ops_per_s: 0, median_ns: 0, mean_ns: 0, p99_ns: 0, rme_pct: 0, samples: 0, error: 'no default export function (bench) => void' }];
  }
  const bench = new Bench({ name, time: timeMs, warmupTime: Math.min(100, timeMs), throws: false });
  await (mod.default as MicroModule)(bench);
  await bench.run();
  return bench.tasks.map((t): MicroRow => {
    const res = t.result;
    if (res.state === 'completed' || res.state === 'aborted-with-statistics') {
      return {
        module: name,
        task: t.name,
        ops_per_s: Math.round(res.throughput.p50),
        median_ns: Number((res.latency.p50 * 1e6).toFixed(1)),
        mean_ns: Number((res.latency.mean * 1e6).toFixed(1)),
        p99_ns: Number((res.latency.p99 * 1e6).toFixed(1)),
        rme_pct: Number(res.latency.rme.toFixed(2)),
        samples: res.latency.samplesCount,
      };
    }
    const error = res.state === 'errored' ? res.error.message : res.state;
    return { module: name, task: t.name, ops_per_s: 0, median_ns: 0, mean_ns: 0, p99_ns: 0, rme_pct: 0, samples: 0, error };
  });
}

export function renderMicro(rows: readonly MicroRow[]): string {
  const head = ['module', 'task', 'ops/s', 'median ns', 'mean ns', 'p99 ns', '±%', 'samples'];
  const cells = rows.map((r) =>
    r.error
      ? [r.module, r.task, `ERROR: ${r.error}`, '', '', '', '', '']
      : [r.module, r.task, r.ops_per_s.toLocaleString('en-US'), r.median_ns.toFixed(1), r.mean_ns.toFixed(1), r.p99_ns.toFixed(1), r.rme_pct.toFixed(2), String(r.samples)],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => c.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}

export async function runMicro(options: BenchOptions): Promise<number> {
  const files = findMicroModules(options.microFilter);
  if (files.length === 0) {
    process.stderr.write(`bench: no micro benchmark modules${options.microFilter ? ` matching "${options.microFilter}"` : ''} under dist/bench/micro (run the build)\n`);
    return 1;
  }
  const rows: MicroRow[] = [];
  for (const f of files) {
    process.stderr.write(`bench: micro ${f.slice(f.lastIndexOf('/') + 1)}\n`);
    try {
      rows.push(...(await runMicroModule(f, options.microTimeMs)));
    } catch (e) {
      rows.push({ module: f, task: '-', ops_per_s: 0, median_ns: 0, mean_ns: 0, p99_ns: 0, rme_pct: 0, samples: 0, error: (e as Error).message });
    }
  }
  process.stdout.write(`Weft micro benchmarks — tinybench, ${options.microTimeMs} ms per task, Node ${process.version}\n${renderMicro(rows)}\n`);
  if (options.json) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, `${JSON.stringify({ schema: 'weft-bench-micro/1', node: process.version, micro: rows }, null, 2)}\n`);
  }
  return rows.some((r) => r.error) ? 1 : 0;
}
