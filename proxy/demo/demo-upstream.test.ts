// Tests of the demo upstream: the echo on every endpoint of cluster "demo", and its start errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { parseSnapshot, type Snapshot } from '../../api/snapshot/index.js';
import { Logging } from '../../lib/log.js';
import { startDemoUpstream } from './demo-upstream.js';

const log = new Logging({ destination: new Writable({ write: (_c, _e, cb) => cb() }) }).logger('demo');

/** A port that was free a moment ago (the demo upstream needs fixed ports, as a config states them). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function snapshot(clusters: string): Snapshot {
  const r = parseSnapshot(`clusters:\n${clusters}`);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  return r.value;
}

test('echoes method, path, headers and body on every endpoint of cluster "demo"', async (t) => {
  const [a, b] = [await freePort(), await freePort()];
  const demo = await startDemoUpstream(snapshot(`  - name: demo\n    endpoints: [{ address: "127.0.0.1:${a}" }, { address: "127.0.0.1:${b}" }]\n`), log);
  t.after(() => demo.close());
  assert.deepEqual(demo.addresses, [`127.0.0.1:${a}`, `127.0.0.1:${b}`]);
  for (const port of [a, b]) {
    const r = await fetch(`http://127.0.0.1:${port}/hello?x=1`, { method: 'POST', body: 'hi there', headers: { 'x-test': 'yes' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    const echo = (await r.json()) as Record<string, unknown> & { headers: Record<string, string> };
    assert.equal(echo.upstream, `127.0.0.1:${port}`);
    assert.equal(echo.method, 'POST');
    assert.equal(echo.path, '/hello?x=1');
    assert.equal(echo.headers['x-test'], 'yes');
    assert.equal(echo.body, 'hi there');
    assert.equal(echo.body_length, 8);
  }
});

test('a config without a usable "demo" cluster is an error that says so', async () => {
  await assert.rejects(startDemoUpstream(snapshot(`  - name: api\n    endpoints: []\n`), log), /no cluster named "demo"/);
  await assert.rejects(startDemoUpstream(snapshot(`  - name: demo\n    endpoints: []\n`), log), /has no endpoints/);
  await assert.rejects(startDemoUpstream(snapshot(`  - name: demo\n    endpoints: [{ address: "127.0.0.1:0" }]\n`), log), /needs a fixed port/);
});

test('a port in use is reported and nothing is left listening', async (t) => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => busy.close(r)));
  const taken = (busy.address() as AddressInfo).port;
  const free = await freePort();
  await assert.rejects(
    startDemoUpstream(snapshot(`  - name: demo\n    endpoints: [{ address: "127.0.0.1:${free}" }, { address: "127.0.0.1:${taken}" }]\n`), log),
    new RegExp(`cannot listen on 127\\.0\\.0\\.1:${taken}`),
  );
  // The first endpoint's server was closed again: its port is free.
  const again = createServer();
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.listen(free, '127.0.0.1', resolve);
  });
  await new Promise((r) => again.close(r));
});
