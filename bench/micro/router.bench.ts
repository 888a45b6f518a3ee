// Micro benchmark of RouteTable.match on a 50-route table: a hit early, a hit late, a miss, and the per-request actions.
import type { Bench } from 'tinybench';
import { formatConfigError, validateSnapshot } from '../../api/snapshot/index.js';
import { HeaderMap } from '../../proxy/http/header-map.js';
import { compileRouteTable, type RouteTable } from '../../proxy/router/index.js';

/** 50 routes of the kinds real tables hold: prefixes, exact paths, a few regexes, header and query conditions. */
function fiftyRouteTable(): RouteTable {
  const routes: unknown[] = [];
  for (let i = 0; i < 50; i++) {
    const kind = i % 5;
    const match =
      kind === 0
        ? { path: { exact: `/svc${i}/health` } }
        : kind === 1
          ? { path: { prefix: `/svc${i}/` }, methods: ['GET', 'POST'] }
          : kind === 2
            ? { path: { regex: `/svc${i}/items/[0-9]+` } }
            : kind === 3
              ? { path: { prefix: `/svc${i}/` }, headers: [{ name: 'x-tenant', exact: `t${i}` }] }
              : { path: { prefix: `/svc${i}/` }, query: [{ name: 'version', exact: `v${i}` }] };
    routes.push({ name: `r${i}`, match, forward: { cluster: `c${i % 5}`, prefix_rewrite: kind === 1 ? '/' : undefined } });
  }
  for (const r of routes as { forward: Record<string, unknown> }[]) if (r.forward.prefix_rewrite === undefined) delete r.forward.prefix_rewrite;
  const res = validateSnapshot({
    clusters: [0, 1, 2, 3, 4].map((i) => ({ name: `c${i}`, endpoints: [{ address: `127.0.0.1:${9000 + i}` }] })),
    route_tables: [
      {
        name: 'bench',
        virtual_hosts: [
          { name: 'other', domains: ['other.example.com', '*.other.example.com'], routes: [{ forward: { cluster: 'c0' } }] },
          { name: 'api', domains: ['api.example.com', '*.api.example.com'], routes },
          { name: 'fallback', domains: ['*'], routes: [{ direct_response: { status: 404 } }] },
        ],
      },
    ],
  });
  if (!res.ok) throw new Error(res.error.map(formatConfigError).join('\n'));
  return compileRouteTable(res.value.route_tables[0]!);
}

function request(authority: string, path: string, extra: string[] = []): HeaderMap {
  return new HeaderMap([':method', 'GET', ':scheme', 'http', ':authority', authority, ':path', path, 'user-agent', 'bench/1.0', 'accept', '*/*', ...extra]);
}

export default function routerBench(bench: Bench): void {
  const table = fiftyRouteTable();
  const early = request('api.example.com', '/svc0/health');
  const late = request('api.example.com:8080', '/svc49/orders?version=v49&page=2');
  const lateHeader = request('API.example.com', '/svc48/orders', ['x-tenant', 't48']);
  const miss = request('api.example.com', '/nothing/here?x=1');
  const suffixHost = request('eu.api.example.com', '/svc1/');
  for (const [name, headers] of [
    ['router: 50 routes, hit early (route 0)', early],
    ['router: 50 routes, hit late (route 49, query condition)', late],
    ['router: 50 routes, hit late (route 48, header condition)', lateHeader],
    ['router: 50 routes, miss (all 50 tried)', miss],
    ['router: suffix virtual host, hit route 1', suffixHost],
  ] as const) {
    if (!table.match(headers)) {
      if (headers !== miss) throw new Error(`bench setup: ${name} did not match`);
    } else if (headers === miss) {
      throw new Error('bench setup: the miss case matched');
    }
    let sink: unknown;
    bench.add(name, () => {
      sink = table.match(headers);
    });
    void sink;
  }
  bench.add('router: match + prefix rewrite + pick (fresh headers)', () => {
    const h = request('api.example.com', '/svc1/items/7?q=1');
    const route = table.match(h)!;
    if (route.action.kind === 'forward') {
      route.action.rewrite(h);
      route.action.pickCluster();
    }
    route.applyRequestHeaders(h);
  });
}
