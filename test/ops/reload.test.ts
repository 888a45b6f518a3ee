// Config reload end to end: a valid change serves, an invalid file is rejected while the old config serves, SIGHUP, in-flight requests keep their Snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { WeftProcess } from './weft-process.js';
import { configText, getText, serving, tempDir, TestUpstream, writeAtomic, type ConfigSpec } from './fixtures.js';

const base: ConfigSpec = { routes: [{ exact: '/a', direct: { status: 200, body: 'route a' } }] };

async function start(t: { after: (fn: () => unknown) => void }, spec: ConfigSpec, flags: string[] = []) {
  const dir = tempDir(t);
  const path = join(dir, 'weft.yaml');
  writeFileSync(path, configText(spec));
  const weft = new WeftProcess(['proxy', '--config', path, ...flags]);
  t.after(() => weft.stop());
  const urls = await serving(weft);
  return { dir, path, weft, ...urls };
}

test('a valid change is applied on save and the new route serves', async (t) => {
  const p = await start(t, base);
  assert.equal((await getText(`${p.web}/a`)).text, 'route a');
  assert.equal((await getText(`${p.web}/b`)).status, 404);
  const first = (await p.weft.waitForMsg('weft serving')).version;

  writeAtomic(p.path, configText({ routes: [...base.routes, { exact: '/b', direct: { status: 201, body: 'route b' } }] }));
  const applied = await p.weft.waitFor((l) => l.msg === 'config applied' && l.reason === 'file changed', 'the reload');
  assert.equal(applied.previous, first);
  assert.notEqual(applied.version, first);
  const b = await getText(`${p.web}/b`);
  assert.equal(b.status, 201);
  assert.equal(b.text, 'route b');
  const dump = (await (await fetch(`${p.admin}/config_dump`)).json()) as { version: string };
  assert.equal(dump.version, applied.version);
});

test('an invalid file is rejected with errors naming file, line and field, and the old config keeps serving', async (t) => {
  const p = await start(t, base);
  const version = (await p.weft.waitForMsg('weft serving')).version;
  const bad = configText({ routes: [{ exact: '/a', direct: { status: 200, body: 'route a' } }] }).replace('"status": 200', '"status": 9000');
  writeAtomic(p.path, bad);
  const rejected = await p.weft.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith(`config rejected: ${p.path}:`), 'the rejection');
  assert.equal(rejected.level, 'error');
  assert.equal(rejected.keeping, version);
  const errors = rejected.errors as string[];
  assert.ok(
    errors.some((e) => e.startsWith(`${p.path}:`) && /:\d+:\d+: route_tables\[0\]\.virtual_hosts\[0\]\.routes\[0\]\.direct_response\.status: /.test(e)),
    errors.join('\n'),
  );
  const a = await getText(`${p.web}/a`);
  assert.equal(a.status, 200);
  assert.equal(a.text, 'route a');
  const metrics = await (await fetch(`${p.admin}/stats/prometheus`)).text();
  assert.match(metrics, /^weft_config_applies_total\{result="rejected"\} 1$/m);

  // Fixing the file applies it.
  writeAtomic(p.path, configText({ routes: [{ exact: '/a', direct: { status: 200, body: 'fixed' } }] }));
  await p.weft.waitFor((l) => l.msg === 'config applied', 'the fixed config');
  assert.equal((await getText(`${p.web}/a`)).text, 'fixed');
});

test('with --no-watch, SIGHUP reloads the file', async (t) => {
  const p = await start(t, base, ['--no-watch']);
  writeAtomic(p.path, configText({ routes: [{ exact: '/a', direct: { status: 200, body: 'after SIGHUP' } }] }));
  // No file watch: the route changes only after the signal (proved by the log's reason).
  p.weft.signal('SIGHUP');
  const applied = await p.weft.waitFor((l) => l.msg === 'config applied', 'the SIGHUP reload');
  assert.equal(applied.reason, 'SIGHUP');
  assert.equal((await getText(`${p.web}/a`)).text, 'after SIGHUP');
  assert.ok(!p.weft.lines.some((l) => l.reason === 'file changed'));
});

test('a request in flight during a reload finishes on the Snapshot it started with', async (t) => {
  const one = await TestUpstream.start(t, 'one');
  const two = await TestUpstream.start(t, 'two');
  const p = await start(t, { clusters: { one: one.port, two: two.port }, routes: [{ prefix: '/', cluster: 'one' }] });
  one.hold();
  const inflight = getText(`${p.web}/slow`);
  await one.waitForHeld(1);

  writeAtomic(p.path, configText({ clusters: { one: one.port, two: two.port }, routes: [{ prefix: '/', cluster: 'two' }] }));
  await p.weft.waitFor((l) => l.msg === 'config applied', 'the reload');
  const after = await getText(`${p.web}/fresh`);
  assert.equal(JSON.parse(after.text).upstream, 'two', 'new requests use the new Snapshot');

  one.release();
  const done = await inflight;
  assert.equal(done.status, 200);
  assert.deepEqual(JSON.parse(done.text), { upstream: 'one', path: '/slow' });
});

test('a valid config that cannot be applied (a port in use) is rejected and the old config keeps serving', async (t) => {
  const upstream = await TestUpstream.start(t, 'busy');
  const p = await start(t, base);
  const version = (await p.weft.waitForMsg('weft serving')).version;
  writeAtomic(
    p.path,
    configText(base).replace('"listeners": [', `"listeners": [\n    { "name": "busy", "address": "127.0.0.1:${upstream.port}", "http": { "route_table": "main" } },`),
  );
  const failed = await p.weft.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('config not applied'), 'the failed apply');
  assert.equal(failed.level, 'error');
  assert.equal(failed.keeping, version);
  assert.match(failed.err as string, new RegExp(`127\\.0\\.0\\.1:${upstream.port}`));
  assert.equal((await getText(`${p.web}/a`)).text, 'route a');
  const dump = (await (await fetch(`${p.admin}/config_dump`)).json()) as { version: string; listeners: unknown[] };
  assert.equal(dump.version, version);
  assert.equal(dump.listeners.length, 1);
});

test('a reload that changes admin.address moves the admin listener', async (t) => {
  const p = await start(t, base);
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  writeAtomic(p.path, configText(base).replace('"address": "127.0.0.1:0"\n  }', `"address": "127.0.0.1:${port}"\n  }`));
  const moved = await p.weft.waitForMsg('admin moved');
  assert.equal(moved.address, `127.0.0.1:${port}`);
  assert.equal((await getText(`http://127.0.0.1:${port}/ready`)).text, 'ready\n');
  await assert.rejects(fetch(`${p.admin}/ready`, { headers: { connection: 'close' } }), 'the old admin address is closed');
});
