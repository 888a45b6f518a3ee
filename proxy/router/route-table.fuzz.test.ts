// Differential test: random route tables and requests, the compiled RouteTable against a plainly written reference matcher.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateSnapshot, type RouteTableConfig } from '../../api/snapshot/index.js';
import { seededRandom } from '../../api/snapshot/testing.js';
import type { HeaderMap } from '../http/header-map.js';
import { compileRouteTable } from './route-table.js';
import { requestHead } from './testing.js';

/** Envoy's rules, written for clarity and nothing else (URLSearchParams decodes the query). */
function referenceMatch(config: RouteTableConfig, headers: HeaderMap): string | undefined {
  const authority = headers.get(':authority') ?? headers.get('host') ?? '';
  let host = authority;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close >= 0 && host[close + 1] === ':') host = host.slice(0, close + 1);
  } else if (host.split(':').length === 2) {
    host = host.slice(0, host.indexOf(':'));
  }
  host = host.toLowerCase().replace(/\.$/, '');
  const norm = (d: string) => d.toLowerCase().replace(/(.)\.$/, '$1');
  const vhs = config.virtual_hosts;
  let vh = vhs.find((v) => v.domains.some((d) => norm(d) === host));
  if (!vh) {
    let best = -1;
    for (const v of vhs) {
      for (const d of v.domains.map(norm)) {
        if (d.startsWith('*.') && host.length > d.length - 1 && host.endsWith(d.slice(1)) && d.length > best) {
          best = d.length;
          vh = v;
        }
      }
    }
  }
  vh ??= vhs.find((v) => v.domains.includes('*'));
  if (!vh) return undefined;

  const full = headers.get(':path') ?? '';
  const path = full.split(/[?#]/)[0]!;
  const query = new URLSearchParams(full.includes('?') ? full.slice(full.indexOf('?') + 1).split('#')[0] : '');
  const joined = (name: string) => {
    const all = headers.getAll(name);
    return all.length === 0 ? undefined : all.join(',');
  };
  const valueOk = (c: { exact?: string; regex?: string; present?: true; absent?: true }, v: string | undefined | null) => {
    const value = v ?? undefined;
    if (c.exact !== undefined) return value === c.exact;
    if (c.regex !== undefined) return value !== undefined && new RegExp(`^(?:${c.regex})$`).test(value);
    if (c.present) return value !== undefined;
    return value === undefined;
  };
  const route = vh.routes.find((r) => {
    const m = r.match;
    if (m?.methods && !m.methods.includes(headers.get(':method') ?? '')) return false;
    if (m?.path?.exact !== undefined && path !== m.path.exact) return false;
    if (m?.path?.prefix !== undefined && !path.startsWith(m.path.prefix)) return false;
    if (m?.path?.regex !== undefined && !new RegExp(`^(?:${m.path.regex})$`).test(path)) return false;
    if (m?.headers && !m.headers.every((h) => valueOk(h, joined(h.name.toLowerCase())))) return false;
    if (m?.query && !m.query.every((q) => valueOk(q, query.get(q.name)))) return false;
    return true;
  });
  return route?.name;
}

const DOMAINS = ['a.test', '*.test', '*.b.test', 'b.test', '*', '[::1]', '127.0.0.1', 'x.a.test', 'A.Test.', '*.a.test'];
const PATHS = [{ exact: '/' }, { exact: '/a' }, { exact: '/a/b' }, { exact: '/A' }, { prefix: '/' }, { prefix: '/a' }, { prefix: '/a/' }, { prefix: '/b' }, { regex: '/a/[0-9]+' }, { regex: '/(a|b)' }, { regex: '.*' }, { regex: '/a/?' }, { regex: '/[a-z]+/x' }, { regex: '/a\\d*' }];
const HEADERS = [{ name: 'x-a', exact: 'v' }, { name: 'X-A', exact: 'v,w' }, { name: 'x-b', regex: '[0-9]+' }, { name: 'x-a', regex: 'v|w' }, { name: 'x-b', present: true }, { name: 'x-a', absent: true }, { name: ':method', exact: 'PUT' }];
const QUERY = [{ name: 'q', exact: 'v' }, { name: 'q', exact: 'a b' }, { name: 'q', exact: 'é' }, { name: 'r', present: true }, { name: 'q', absent: true }, { name: 'a b', regex: '[0-9]*' }, { name: 'q', regex: 'v|1' }];
const METHODS = [['GET'], ['POST', 'PUT'], ['HEAD']];

const AUTHORITIES = ['a.test', 'A.TEST:80', 'z.a.test', 'b.test.', 'c.b.test:1', 'c.d.b.test', 'x.a.test', '[::1]:8080', '[::1]', '127.0.0.1', '127.0.0.1:443', 'other', 'test', '.test', '', undefined];
const REQUEST_PATHS = ['/', '/a', '/a/', '/a/b', '/a/12', '/A', '/b', '/bx', '/q/x', '/a1', '', '*'];
const REQUEST_QUERIES = ['', '?q=v', '?q=a+b', '?q=a%20b', '?q=%C3%A9', '?q=%c3%a9', '?r', '?r=&q=1', '?q=1&q=v', '?a%20b=12', '?a+b=x', '?q=%zz', '?q=%C3', '#frag', '?q=v#r'];
const REQUEST_HEADERS: [string, string][] = [['x-a', 'v'], ['x-a', 'w'], ['x-b', '1'], ['x-b', '12'], ['x-b', 'x']];

describe('route table differential fuzz (fixed seeds)', () => {
  it('matches what the reference matcher picks, for random tables and requests', () => {
    const rand = seededRandom(20240611);
    const pick = <T>(list: readonly T[]): T => list[rand(list.length)]!;
    let tables = 0;
    let matched = 0;
    for (let round = 0; round < 300; round++) {
      const used = new Set<string>();
      const virtualHosts = [];
      for (let v = 0, n = 1 + rand(4); v < n; v++) {
        const domains = [...new Set(Array.from({ length: 1 + rand(3) }, () => pick(DOMAINS)))].filter((d) => {
          const key = d.toLowerCase().replace(/(.)\.$/, '$1');
          if (used.has(key)) return false;
          used.add(key);
          return true;
        });
        if (domains.length === 0) continue;
        const routes = Array.from({ length: 1 + rand(8) }, (_, r) => {
          const match: Record<string, unknown> = {};
          if (rand(4) > 0) match.path = pick(PATHS);
          if (rand(4) === 0) match.methods = pick(METHODS);
          if (rand(3) === 0) match.headers = Array.from({ length: 1 + rand(2) }, () => pick(HEADERS));
          if (rand(3) === 0) match.query = Array.from({ length: 1 + rand(2) }, () => pick(QUERY));
          return { name: `v${v}r${r}`, match, direct_response: { status: 200 } };
        });
        virtualHosts.push({ name: `v${v}`, domains, routes });
      }
      if (virtualHosts.length === 0) continue;
      const res = validateSnapshot({ route_tables: [{ name: 'rt', virtual_hosts: virtualHosts }] });
      assert.ok(res.ok, res.ok ? '' : JSON.stringify(res.error));
      const config = res.value.route_tables[0]!;
      const table = compileRouteTable(config);
      tables++;
      for (let q = 0; q < 60; q++) {
        const extra = Array.from({ length: rand(4) }, () => pick(REQUEST_HEADERS));
        const headers = requestHead(pick(AUTHORITIES), pick(REQUEST_PATHS) + pick(REQUEST_QUERIES), pick(['GET', 'POST', 'PUT', 'HEAD']), extra);
        const expected = referenceMatch(config, headers);
        const actual = table.match(headers)?.name;
        assert.equal(actual, expected, `round ${round}: ${JSON.stringify(headers.list)} in ${JSON.stringify(virtualHosts)}`);
        if (actual !== undefined) matched++;
      }
    }
    // The generator must exercise both outcomes a fair number of times.
    assert.ok(tables > 250 && matched > tables * 10 && matched < tables * 50, `tables ${tables}, matched ${matched}`);
  });
});
