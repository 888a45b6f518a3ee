// The benchmark cases: each is one workload every row serves; Weft variants add rows that differ only in Weft's config.
import type { Protocol } from './system/net.js';
import type { RowName, WeftConfigPatch } from './targets/target.js';
import { LARGE_PATH, TINY_PATH } from './upstream/content.js';

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
    name: 'weft-variants',
    title: 'GET of a 13 B body, HTTP/1.1: Weft alone against Weft with features on (same rounds)',
    protocol: 'h1',
    path: TINY_PATH,
    connections: 50,
    streams: 1,
    rows: ['weft'],
    weftVariants: [{ name: 'route-headers', description: 'route adds a request and a response header', patch: routeHeaders }],
    quick: false,
  },
];
