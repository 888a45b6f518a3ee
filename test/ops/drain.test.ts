// Graceful drain end to end: SIGTERM with keep-alive requests in flight loses none; a second SIGTERM exits at once; the drain is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Pool } from 'undici';
import { WeftProcess } from './weft-process.js';
import { configText, getText, serving, tempDir, TestUpstream } from './fixtures.js';

const CONNECTIONS = 8;

async function start(t: { after: (fn: () => unknown) => void }, upstream: TestUpstream, drainTimeout: string, flags: string[] = []) {
  const dir = tempDir(t);
  const path = join(dir, 'weft.yaml');
  writeFileSync(path, configText({ clusters: { up: upstream.port }, routes: [{ prefix: '/', cluster: 'up' }], drainTimeout }));
  const weft = new WeftProcess(['proxy', '--config', path, ...flags]);
  t.after(() => weft.stop());
  return { weft, ...(await serving(weft)) };
}

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(port), hostname);
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

for (const workers of ['1', '2']) {
  test(`--workers ${workers}: SIGTERM drains: keep-alive requests in flight all complete, /ready turns 503, new connections are refused, exit 0`, async (t) => {
    await drainsInFlight(t, ['--workers', workers]);
  });
}

async function drainsInFlight(t: { after: (fn: () => unknown) => void }, flags: string[]): Promise<void> {
  const upstream = await TestUpstream.start(t, 'up');
  const p = await start(t, upstream, '30s', flags);
  const pool = new Pool(p.web, { connections: CONNECTIONS, pipelining: 1 });
  t.after(() => pool.destroy());

  // Warm the keep-alive connections, then put one request in flight on each.
  const warm = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => pool.request({ path: `/warm/${i}`, method: 'GET' })));
  for (const r of warm) {
    assert.equal(r.statusCode, 200);
    await r.body.text();
  }
  upstream.hold();
  const inflight = Array.from({ length: CONNECTIONS }, (_, i) =>
    pool.request({ path: `/inflight/${i}`, method: 'GET' }).then(async (r) => ({ status: r.statusCode, body: await r.body.text() })),
  );
  await upstream.waitForHeld(CONNECTIONS);

  p.weft.signal('SIGTERM');
  await p.weft.waitForMsg('draining');
  const ready = await getText(`${p.admin}/ready`);
  assert.equal(ready.status, 503);
  assert.equal(ready.text, 'draining\n');
  // With workers the shared listening socket closes once every worker has closed its handle, which
  // the primary learns over IPC: wait for it (bounded) rather than race it.
  let closed = await refused(p.web);
  for (let i = 0; !closed && flags.includes('2') && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    closed = await refused(p.web);
  }
  assert.ok(closed, 'the listener no longer accepts');

  upstream.release();
  const results = await Promise.all(inflight);
  for (const [i, r] of results.entries()) {
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { upstream: 'up', path: `/inflight/${i}` });
  }
  const exit = await p.weft.exited;
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.ok(p.weft.lines.some((l) => l.msg === 'stopped'));
}

test('a second SIGTERM during the drain exits at once with code 1', async (t) => {
  const upstream = await TestUpstream.start(t, 'up');
  // A drain this long would outlast the test: exiting proves the second signal cut it short.
  const p = await start(t, upstream, '1h');
  upstream.hold();
  const inflight = getText(`${p.web}/never`).then(
    (r) => r.status,
    () => 'failed',
  );
  await upstream.waitForHeld(1);
  p.weft.signal('SIGTERM');
  await p.weft.waitForMsg('draining');
  p.weft.signal('SIGTERM');
  const exit = await p.weft.exited;
  assert.deepEqual(exit, { code: 1, signal: null });
  assert.ok(p.weft.lines.some((l) => l.msg === 'stopping now, without waiting for in-flight requests'));
  assert.notEqual(await inflight, 200);
});

test('the drain is bounded by drain_timeout: a request that never ends does not keep the proxy alive', async (t) => {
  const upstream = await TestUpstream.start(t, 'up');
  const p = await start(t, upstream, '300ms');
  upstream.hold();
  const inflight = getText(`${p.web}/stuck`).then(
    (r) => r.status,
    () => 'failed',
  );
  await upstream.waitForHeld(1);
  p.weft.signal('SIGINT');
  const exit = await p.weft.exited;
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.notEqual(await inflight, 200, 'cut off when the drain timed out');
});
