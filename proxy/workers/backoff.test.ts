// Tests of the restart backoff and the drain bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSnapshot } from '../../api/snapshot/index.js';
import { nextFailureCount, restartDelay } from './backoff.js';
import { drainTimeout, DEFAULT_DRAIN_MS } from './drain-timeout.js';

test('restart delays double from the initial delay up to the cap', () => {
  assert.deepEqual([0, 1, 2, 3].map((n) => restartDelay(n)), [100, 200, 400, 800]);
  assert.equal(restartDelay(20), 30_000);
  assert.equal(restartDelay(1000), 30_000, 'no overflow for long crash loops');
  assert.equal(restartDelay(2, { initialMs: 10, maxMs: 25 }), 25);
});

test('a worker that stayed up long enough resets the crash count', () => {
  assert.equal(nextFailureCount(0, 50), 1);
  assert.equal(nextFailureCount(4, 29_999), 5);
  assert.equal(nextFailureCount(4, 30_000), 0);
  assert.equal(nextFailureCount(4, 500, { stableMs: 400 }), 0);
});

test('the drain bound is the longest drain_timeout of the HTTP listeners', () => {
  const r = parseSnapshot(`
listeners:
  - { name: a, address: "127.0.0.1:1", http: { route_table: t, drain_timeout: 2s } }
  - { name: b, address: "127.0.0.1:2", http: { route_table: t, drain_timeout: 45s } }
  - { name: c, address: "127.0.0.1:3", protocol: tcp, tcp: { cluster: x } }
route_tables: [{ name: t, virtual_hosts: [{ name: v, domains: ["*"], routes: [] }] }]
clusters: [{ name: x, endpoints: [] }]
`);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  assert.equal(drainTimeout(r.value), 45_000);
  assert.equal(drainTimeout(undefined), DEFAULT_DRAIN_MS);
  assert.equal(drainTimeout({ ...r.value, listeners: [r.value.listeners[2]!] }), DEFAULT_DRAIN_MS);
});
