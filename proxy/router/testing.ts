// Test helpers for the router: route tables from plain config objects (validated like a weft.yaml), request heads.
import { formatConfigError, validateSnapshot } from '../../api/snapshot/index.js';
import { HeaderMap } from '../http/header-map.js';
import { compileRouteTable, type CompileOptions, type RouteTable } from './route-table.js';

/** Clusters every test table may forward to. */
export const TEST_CLUSTERS = ['a', 'b', 'c', 'default'];

/** Validates `virtual_hosts` inside a minimal Snapshot (so tests only use configs users could write) and compiles it. */
export function tableOf(virtualHosts: unknown[], options?: CompileOptions, extra: Record<string, unknown> = {}): RouteTable {
  const res = validateSnapshot(
    {
      ...extra,
      clusters: TEST_CLUSTERS.map((name) => ({ name, endpoints: [] })),
      route_tables: [{ name: 'rt', virtual_hosts: virtualHosts }],
    },
    { file: 'test' },
  );
  if (!res.ok) throw new Error(`invalid test config:\n${res.error.map(formatConfigError).join('\n')}`);
  return compileRouteTable(res.value.route_tables[0]!, options);
}

/** A request head: pseudo-headers first, then `extra` in order (names lowercased). */
export function requestHead(authority: string | undefined, path: string | undefined, method = 'GET', extra: readonly (readonly [string, string])[] = [], scheme = 'http'): HeaderMap {
  const list = [':method', method, ':scheme', scheme];
  if (authority !== undefined) list.push(':authority', authority);
  if (path !== undefined) list.push(':path', path);
  for (const [k, v] of extra) list.push(k.toLowerCase(), v);
  return new HeaderMap(list);
}

/** A route that answers 200 directly: enough to see which route matched. */
export function directRoute(name: string, match?: unknown): Record<string, unknown> {
  return { name, ...(match !== undefined ? { match } : {}), direct_response: { status: 200 } };
}
