// Builds the bench's AssemblyScript filters (written with Weft's SDK) and describes the filter chains the bench runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFilter, weftRoot, type BuildResult, type BuildTarget } from '../../sdk/testing/build.js';

/** The filters under bench/filters/assembly/. */
export const BENCH_FILTERS = ['noop', 'add-header', 'check-header', 'counter'] as const;
export type BenchFilter = (typeof BENCH_FILTERS)[number];

/**
 * The chains the targets name, first filter first: a no-op, a header-adding filter, and
 * a chain of three (add a header, check it — 403 without it —, count the request in a metric).
 */
export const BENCH_CHAINS = {
  noop: ['noop'],
  'add-header': ['add-header'],
  'chain-3': ['add-header', 'check-header', 'counter'],
} as const satisfies Record<string, readonly BenchFilter[]>;
export type BenchChain = keyof typeof BENCH_CHAINS;

/** The request header add-header adds and check-header requires. */
export const BENCH_HEADER = { name: 'x-bench', value: 'weft' } as const;

const CONFIG: Record<BenchFilter, unknown> = {
  noop: undefined,
  'add-header': BENCH_HEADER,
  'check-header': BENCH_HEADER,
  counter: { name: 'bench_requests_total' },
};

/** Compiles one bench filter with the SDK's build settings (release: optimized; debug: with a source map). */
export function buildBenchFilter(name: BenchFilter, target: BuildTarget = 'release'): Promise<BuildResult> {
  return buildFilter(join(weftRoot, 'bench', 'filters'), { target, entries: [`assembly/${name}.ts`] });
}

/** Compiles every bench filter into `dir` as `<name>.wasm` (plus `<name>.wasm.map` for debug) and returns the paths. */
export async function writeBenchFilters(dir: string, target: BuildTarget = 'release'): Promise<Record<BenchFilter, string>> {
  mkdirSync(dir, { recursive: true });
  const out = {} as Record<BenchFilter, string>;
  for (const name of BENCH_FILTERS) {
    const { wasm, sourceMap } = await buildBenchFilter(name, target);
    const file = join(dir, `${name}.wasm`);
    writeFileSync(file, wasm);
    if (sourceMap !== undefined) writeFileSync(`${file}.map`, sourceMap);
    out[name] = file;
  }
  return out;
}

export interface BenchChainOptions {
  /** The filter chain the plugins run in (the listener's `http.filter_chain`). */
  readonly filterChain: string;
  /** CPU metering (limits.callback_cpu 100ms); false runs the same chain unmetered. Default true. */
  readonly metered?: boolean;
}

/**
 * The Snapshot `plugins` entries of a bench chain, for modules written by writeBenchFilters.
 * Priorities keep the chain's order (the first filter runs first).
 */
export function benchChainPlugins(chain: BenchChain, files: Record<BenchFilter, string>, options: BenchChainOptions): Record<string, unknown>[] {
  const filters = BENCH_CHAINS[chain];
  return filters.map((name, i) => ({
    name: `bench-${name}`,
    module: { file: files[name] },
    ...(CONFIG[name] !== undefined ? { configuration: CONFIG[name] } : {}),
    filter_chains: [options.filterChain],
    priority: filters.length - i,
    limits: { callback_cpu: options.metered === false ? 0 : '100ms' },
  }));
}
