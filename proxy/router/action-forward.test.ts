// Forward actions: cluster picks (weighted), prefix/regex path rewrites, host rewrite, timeout.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestHead, tableOf } from './testing.js';
import type { ForwardAction } from './route-table.js';

function forward(route: Record<string, unknown>, random?: () => number): ForwardAction {
  const table = tableOf([{ name: 'v', domains: ['*'], routes: [route] }], random ? { random } : undefined);
  const action = table.virtualHosts[0]!.routes[0]!.action;
  assert.equal(action.kind, 'forward');
  return action as ForwardAction;
}

describe('forward: cluster choice and timeout', () => {
  it('a single cluster, default timeout 15s', () => {
    const a = forward({ forward: { cluster: 'a' } });
    assert.equal(a.pickCluster(), 'a');
    assert.equal(a.timeoutMs, 15_000);
  });

  it('the configured timeout, in ms; 0 disables', () => {
    assert.equal(forward({ forward: { cluster: 'a', timeout: '250ms' } }).timeoutMs, 250);
    assert.equal(forward({ forward: { cluster: 'a', timeout: 0 } }).timeoutMs, 0);
  });

  it('weighted clusters split exactly by weight over evenly spread random values', () => {
    let i = 0;
    const n = 1000;
    const a = forward(
      { forward: { weighted_clusters: [{ cluster: 'a', weight: 1 }, { cluster: 'b', weight: 0 }, { cluster: 'c', weight: 3 }] } },
      () => (i++ % n) / n,
    );
    const counts = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      const c = a.pickCluster();
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(counts), { a: 250, c: 750 });
  });

  it('boundaries: random 0 gives the first, just below 1 the last; a random() of 1 is clamped', () => {
    const spec = { forward: { weighted_clusters: [{ cluster: 'a', weight: 50 }, { cluster: 'b', weight: 50 }] } };
    assert.equal(forward(spec, () => 0).pickCluster(), 'a');
    assert.equal(forward(spec, () => 0.4999).pickCluster(), 'a');
    assert.equal(forward(spec, () => 0.5).pickCluster(), 'b');
    assert.equal(forward(spec, () => 0.9999999).pickCluster(), 'b');
    assert.equal(forward(spec, () => 1).pickCluster(), 'b');
  });

  it('one positive weight never calls random', () => {
    const a = forward({ forward: { weighted_clusters: [{ cluster: 'a', weight: 0 }, { cluster: 'b', weight: 7 }] } }, () => {
      throw new Error('random called');
    });
    assert.equal(a.pickCluster(), 'b');
  });
});

describe('forward: rewrites', () => {
  type Case = [why: string, route: Record<string, unknown>, path: string, expectedPath: string, expectedAuthority?: string];
  const cases: Case[] = [
    ['prefix rewrite keeps the rest and the query', { match: { path: { prefix: '/api/' } }, forward: { cluster: 'a', prefix_rewrite: '/v2/' } }, '/api/users?id=1', '/v2/users?id=1'],
    ['prefix rewrite of the whole path', { match: { path: { prefix: '/api' } }, forward: { cluster: 'a', prefix_rewrite: '/' } }, '/api', '/'],
    ['prefix "/foo" to "/" leaves a double slash (as Envoy does)', { match: { path: { prefix: '/foo' } }, forward: { cluster: 'a', prefix_rewrite: '/' } }, '/foo/bar', '//bar'],
    ['prefix rewrite to "" still sends "/"', { match: { path: { prefix: '/api' } }, forward: { cluster: 'a', prefix_rewrite: '' } }, '/api?x=1', '/?x=1'],
    ['prefix rewrite when the prefix is "/"', { match: { path: { prefix: '/' } }, forward: { cluster: 'a', prefix_rewrite: '/base/' } }, '/x', '/base/x'],
    ['regex rewrite substitutes every match', { forward: { cluster: 'a', regex_rewrite: { pattern: '/+', substitution: '/' } } }, '//a///b/', '/a/b/'],
    ['regex rewrite with capture groups', { forward: { cluster: 'a', regex_rewrite: { pattern: '^/users/([0-9]+)/profile$', substitution: '/profiles/$1' } } }, '/users/42/profile?full=1', '/profiles/42?full=1'],
    ['regex rewrite leaves the query alone', { forward: { cluster: 'a', regex_rewrite: { pattern: 'a', substitution: 'b' } } }, '/aa?a=a', '/bb?a=a'],
    ['regex rewrite without a match', { forward: { cluster: 'a', regex_rewrite: { pattern: 'zzz', substitution: 'y' } } }, '/path?q', '/path?q'],
    ['regex rewrite to an empty path sends "/"', { forward: { cluster: 'a', regex_rewrite: { pattern: '.*', substitution: '' } } }, '/drop-all?k=v', '/?k=v'],
    ['host rewrite', { forward: { cluster: 'a', host_rewrite: 'internal.svc:8080' } }, '/x', '/x', 'internal.svc:8080'],
    ['prefix and host rewrite together', { match: { path: { prefix: '/p' } }, forward: { cluster: 'a', prefix_rewrite: '/q', host_rewrite: 'h2' } }, '/p/1', '/q/1', 'h2'],
    ['no rewrite', { forward: { cluster: 'a' } }, '/same?x', '/same?x'],
  ];
  for (const [why, route, path, expectedPath, expectedAuthority] of cases) {
    it(`${why}: ${path} -> ${expectedPath}`, () => {
      const action = forward(route);
      const headers = requestHead('client.example:80', path);
      action.rewrite(headers);
      assert.equal(headers.get(':path'), expectedPath);
      assert.equal(headers.get(':authority'), expectedAuthority ?? 'client.example:80');
      assert.deepEqual(headers.getAll(':path').length, 1);
      assert.deepEqual(headers.list.slice(0, 2), [':method', 'GET']);
    });
  }

  it('prefix rewrite does nothing when :path no longer starts with the prefix', () => {
    const action = forward({ match: { path: { prefix: '/api' } }, forward: { cluster: 'a', prefix_rewrite: '/v2' } });
    const headers = requestHead('h', '/other');
    action.rewrite(headers);
    assert.equal(headers.get(':path'), '/other');
  });
});
