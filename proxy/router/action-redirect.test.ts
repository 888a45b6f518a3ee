// Redirect actions: Location built from the request and the redirect's scheme, host, port, path and query rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestHead, tableOf } from './testing.js';
import type { RedirectAction } from './route-table.js';

function redirect(route: Record<string, unknown>): RedirectAction {
  const action = tableOf([{ name: 'v', domains: ['*'], routes: [route] }]).virtualHosts[0]!.routes[0]!.action;
  assert.equal(action.kind, 'redirect');
  return action as RedirectAction;
}

describe('redirect', () => {
  type Case = [why: string, config: Record<string, unknown>, request: [authority: string | undefined, path: string, scheme?: string], location: string, match?: unknown];
  const cases: Case[] = [
    ['nothing changed but the status', {}, ['example.com', '/a?b=1'], 'http://example.com/a?b=1'],
    ['to https drops the default http port', { scheme: 'https' }, ['example.com:80', '/a'], 'https://example.com/a'],
    ['to https keeps a non-default port', { scheme: 'https' }, ['example.com:8080', '/a'], 'https://example.com:8080/a'],
    ['to http drops :443 from an https request', { scheme: 'http' }, ['example.com:443', '/a', 'https'], 'http://example.com/a'],
    ['scheme unchanged keeps the port', {}, ['example.com:8080', '/'], 'http://example.com:8080/'],
    ['default port of the scheme is not written', {}, ['example.com:80', '/'], 'http://example.com/'],
    ['port redirect', { port: 8443, scheme: 'https' }, ['example.com:8080', '/a'], 'https://example.com:8443/a'],
    ['port redirect to the default port of the final scheme', { port: 443, scheme: 'https' }, ['example.com:8080', '/a'], 'https://example.com/a'],
    ['host redirect drops the request port', { host: 'new.example' }, ['old.example:8080', '/x'], 'http://new.example/x'],
    ['host and port redirect', { host: 'new.example', port: 9000 }, ['old.example:8080', '/x'], 'http://new.example:9000/x'],
    ['IPv6 request authority', { scheme: 'https' }, ['[::1]:80', '/'], 'https://[::1]/'],
    ['IPv6 request authority with port', {}, ['[::1]:8080', '/'], 'http://[::1]:8080/'],
    ['IPv6 redirect host gets brackets', { host: '::1' }, ['example.com', '/'], 'http://[::1]/'],
    ['case of the request host is kept', {}, ['Example.COM', '/'], 'http://Example.COM/'],
    ['path redirect keeps the query', { path: '/new' }, ['h', '/old?x=1'], 'http://h/new?x=1'],
    ['path redirect with strip_query', { path: '/new', strip_query: true }, ['h', '/old?x=1'], 'http://h/new'],
    ['a query in the path redirect replaces the request query', { path: '/new?y=2' }, ['h', '/old?x=1'], 'http://h/new?y=2'],
    ['a query in the path redirect survives strip_query', { path: '/new?y=2', strip_query: true }, ['h', '/old?x=1'], 'http://h/new?y=2'],
    ['strip_query alone', { strip_query: true }, ['h', '/p?x=1'], 'http://h/p'],
    ['prefix rewrite', { prefix_rewrite: '/v2/' }, ['h', '/v1/items?x=1'], 'http://h/v2/items?x=1', { path: { prefix: '/v1/' } }],
    ['prefix rewrite to "" gives "/"', { prefix_rewrite: '' }, ['h', '/v1'], 'http://h/', { path: { prefix: '/v1' } }],
    ['the fragment is dropped', {}, ['h', '/p?x=1#frag'], 'http://h/p?x=1'],
    ['no host known: a relative Location', { scheme: 'https' }, [undefined, '/p?q'], '/p?q'],
    ['no host known but a redirect host', { host: 'h.example' }, [undefined, '/p'], 'http://h.example/p'],
    ['an empty :path becomes "/"', {}, ['h', ''], 'http://h/'],
  ];
  for (const [why, config, [authority, path, scheme], location, match] of cases) {
    it(`${why}: ${location}`, () => {
      const action = redirect({ ...(match ? { match } : {}), redirect: config });
      assert.equal(action.location(requestHead(authority, path, 'GET', [], scheme)), location);
    });
  }

  it('status defaults to 301 and can be set', () => {
    assert.equal(redirect({ redirect: {} }).status, 301);
    assert.equal(redirect({ redirect: { status: 308 } }).status, 308);
  });

  it('uses the Host header when :authority is missing', () => {
    const action = redirect({ redirect: { scheme: 'https' } });
    assert.equal(action.location(requestHead(undefined, '/', 'GET', [['host', 'h.example:80']])), 'https://h.example/');
  });
});
