// The benchmark cases: each is one workload every row serves; Weft variants add rows that differ only in Weft's config.
import type { Protocol } from './system/net.js';
import type { RowName, WeftConfigPatch } from './targets/target.js';
import { LARGE_PATH, TINY_PATH } from './upstream/content.js';
import { join } from 'node:path';
import { benchChainPlugins, writeBenchFilters, type BenchChain } from './filters/build.js';
import { writeBenchFilter, type BenchFilterKind } from './wasm/bench-filters.js';

export interface WeftVariant {
  /** Row name suffix: the row is called `weft:<name>`. */
  readonly name: string;
  readonly description: string;
  readonly patch: WeftConfigPatch;
}

export interface BenchCase {
  /** Stable name (JSON, --case). */
  readonly name: string;
  readonly title: string;
  readonly protocol: Protocol;
  readonly path: string;
  readonly connections: number;
  /** HTTP/2 streams per connection. */
  readonly streams: number;
  /** Fixed-rate (open-loop) latency case: requests per second. Closed loop (saturation) when absent. */
  readonly rate?: number;
  /** Rows to run (default: all five). */
  readonly rows?: readonly RowName[];
  /** Extra Weft rows, measured in the same interleaved rounds as plain `weft`. */
  readonly weftVariants?: readonly WeftVariant[];
  /** Part of `--quick`. */
  readonly quick: boolean;
}

/** Adds a request and a response header on the route: the cost of Weft's built-in header rewriting. */
const routeHeaders: WeftConfigPatch = (config) => {
  const tables = config.route_tables as { virtual_hosts: { routes: Record<string, unknown>[] }[] }[];
  const route = tables[0]!.virtual_hosts[0]!.routes[0]!;
  route.request_headers_to_add = [{ name: 'x-bench-request', value: 'weft' }];
  route.response_headers_to_add = [{ name: 'x-bench-response', value: 'weft' }];
  return config;
};

/** Puts `plugins` on the listener's filter chain "bench". */
function onBenchChain(config: Record<string, unknown>, plugins: Record<string, unknown>[]): Record<string, unknown> {
  config.plugins = plugins;
  (config.listeners as { http: Record<string, unknown> }[])[0]!.http.filter_chain = 'bench';
  return config;
}

/**
 * The filters of bench/filters/ (AssemblyScript, written with Weft's SDK: what users run), built once
 * per run. `chain-3` adds a header, checks it and counts the request.
 */
function sdkChain(chain: BenchChain, metered = true): WeftConfigPatch {
  return async (config, { memo }) => {
    const files = await memo.once('sdk-bench-filters', () => writeBenchFilters(join(memo.dir, 'sdk-filters')));
    return onBenchChain(config, benchChainPlugins(chain, files, { filterChain: 'bench', metered }));
  };
}

/** Minimal WAT filters (bench/wasm/): what the proxy-wasm host itself costs, without an SDK. */
function watFilter(filter: BenchFilterKind): WeftConfigPatch {
  return async (config, { dir }) => {
    const file = await writeBenchFilter(dir, `wat-${filter.kind}.wasm`, filter);
    return onBenchChain(config, [{ name: `wat-${filter.kind}`, module: { file }, filter_chains: ['bench'] }]);
  };
}

export const CASES: readonly BenchCase[] = [
  { name: 'tiny-get', title: 'GET of a 13 B body, HTTP/1.1 keep-alive', protocol: 'h1', path: TINY_PATH, connections: 50, streams: 1, quick: true },
  { name: '64k-get', title: 'GET of a 64 KiB body, HTTP/1.1 keep-alive', protocol: 'h1', path: LARGE_PATH, connections: 50, streams: 1, quick: true },
  {
    name: 'h2-tiny-get',
    title: 'GET of a 13 B body, HTTP/2 cleartext (prior knowledge) downstream, HTTP/1.1 to the origin',
    protocol: 'h2',
    path: TINY_PATH,
    connections: 10,
    streams: 10,
    quick: true,
  },
  {
    name: 'tiny-get-1k-rps',
    title: 'GET of a 13 B body at a fixed 1,000 requests/s (open loop): latency under normal load',
    protocol: 'h1',
    path: TINY_PATH,
    connections: 16,
    streams: 1,
    rate: 1000,
    quick: false,
  },
  {
    name: 'weft-filters',
    title: 'GET of a 13 B body, HTTP/1.1: plain Weft against Weft with header rewriting and Wasm filters (same rounds)',
    protocol: 'h1',
    path: TINY_PATH,
    connections: 50,
    streams: 1,
    rows: ['weft'],
    weftVariants: [
      { name: 'route-headers', description: 'the route adds a request and a response header (built in)', patch: routeHeaders },
      { name: 'wasm-noop', description: 'a no-op filter built with the SDK', patch: sdkChain('noop') },
      { name: 'wasm-add-header', description: 'a filter that adds a request header, built with the SDK', patch: sdkChain('add-header') },
      { name: 'wasm-chain-3', description: 'three SDK filters: add a header, check it, count the request', patch: sdkChain('chain-3') },
      { name: 'wasm-chain-3-unmetered', description: 'the same chain with CPU metering off (callback_cpu: 0): what metering costs', patch: sdkChain('chain-3', false) },
      { name: 'wat-noop', description: 'a no-op filter in raw WAT: the host\'s own cost per callback', patch: watFilter({ kind: 'noop' }) },
      { name: 'wat-add-header', description: 'a header-adding filter in raw WAT', patch: watFilter({ kind: 'add-header', name: 'x-bench', value: 'weft' }) },
    ],
    quick: false,
  },
];
