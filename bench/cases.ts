// The benchmark cases: each is one workload every row serves; Weft variants add rows that differ only in Weft's config.
import type { Protocol } from './system/net.js';
import type { RowName, WeftConfigPatch } from './targets/target.js';
import { LARGE_PATH, TINY_PATH } from './upstream/content.js';
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

/**
 * Runs Wasm filters on the listener, in this order (highest priority first). `metered: false` turns
 * the per-callback CPU limit off, to show what the metering costs.
 */
function wasmFilters(filters: readonly BenchFilterKind[], metered = true): WeftConfigPatch {
  return async (config, { dir }) => {
    const plugins: Record<string, unknown>[] = [];
    for (const [i, f] of filters.entries()) {
      const name = `bench-${i + 1}-${f.kind}`;
      const file = await writeBenchFilter(dir, `${name}.wasm`, f);
      plugins.push({ name, module: { file }, filter_chains: ['bench'], priority: filters.length - i, ...(metered ? {} : { limits: { callback_cpu: 0 } }) });
    }
    config.plugins = plugins;
    const listener = (config.listeners as { http: Record<string, unknown> }[])[0]!;
    listener.http.filter_chain = 'bench';
    return config;
  };
}

const header = (n: number): BenchFilterKind => ({ kind: 'add-header', name: `x-bench-${n}`, value: 'weft' });

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
      { name: 'wasm-noop', description: 'one Wasm filter that returns Continue on request headers', patch: wasmFilters([{ kind: 'noop' }]) },
      { name: 'wasm-add-header', description: 'one Wasm filter that adds a request header', patch: wasmFilters([header(1)]) },
      { name: 'wasm-chain-3', description: 'three Wasm filters, each adding a request header', patch: wasmFilters([header(1), header(2), header(3)]) },
      {
        name: 'wasm-add-header-unmetered',
        description: 'the header-adding filter with CPU metering off (callback_cpu: 0): the cost of metering',
        patch: wasmFilters([header(1)], false),
      },
    ],
    quick: false,
  },
];
