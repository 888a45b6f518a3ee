// `weft proxy` start-up: an invalid config or a busy port exits 1 with a clear message; --demo-upstream serves through the proxy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runWeft, WeftProcess } from './weft-process.js';
import { configText, getText, serving, tempDir } from './fixtures.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('an invalid config does not start: exit 1 and one line per error naming file, line and field', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'weft.yaml');
  writeFileSync(path, configText({ routes: [{ prefix: '/', cluster: 'missing' }] }));
  const r = await runWeft(['proxy', '--config', path]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^weft proxy: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: route_tables\\[0\\]\\.virtual_hosts\\[0\\]\\.routes\\[0\\]\\.forward\\.cluster: no cluster named "missing"$`, 'm'));
  const missing = await runWeft(['proxy', '--config', join(dir, 'absent.yaml')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /absent\.yaml: cannot read the file: no such file/);
});

test('a listener port in use does not start: exit 1, naming the address, with nothing left listening', async (t) => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => busy.close(r)));
  const port = (busy.address() as AddressInfo).port;
  const adminPort = await freePort();
  const dir = tempDir(t);
  const path = join(dir, 'weft.yaml');
  writeFileSync(path, configText({ routes: [{ prefix: '/', direct: { status: 200, body: 'x' } }] }).replace('"address": "127.0.0.1:0",\n      "http"', `"address": "127.0.0.1:${port}",\n      "http"`));
  for (const workers of ['1', '2']) {
    const r = await runWeft(['proxy', '--config', path, '--workers', workers, '--admin', `127.0.0.1:${adminPort}`]);
    assert.equal(r.code, 1, `--workers ${workers}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^weft proxy: .*127\\.0\\.0\\.1:${port}`, 'm'));
    // The admin listener it had opened is closed again.
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(adminPort, '127.0.0.1', resolve);
    });
    await new Promise((r) => again.close(r));
  }
});

test('--demo-upstream serves a JSON echo on the "demo" cluster, reached through the proxy', async (t) => {
  const demoPort = await freePort();
  const dir = tempDir(t);
  const path = join(dir, 'weft.yaml');
  writeFileSync(path, configText({ clusters: { demo: demoPort }, routes: [{ prefix: '/', cluster: 'demo' }] }));
  const weft = new WeftProcess(['proxy', '--config', path, '--demo-upstream']);
  t.after(() => weft.stop());
  const { web } = await serving(weft);
  const r = await getText(`${web}/hello?x=1`, { headers: { 'x-demo': 'yes' } });
  assert.equal(r.status, 200);
  const echo = JSON.parse(r.text) as { upstream: string; method: string; path: string; headers: Record<string, string> };
  assert.equal(echo.upstream, `127.0.0.1:${demoPort}`);
  assert.equal(echo.method, 'GET');
  assert.equal(echo.path, '/hello?x=1');
  assert.equal(echo.headers['x-demo'], 'yes');
  assert.equal(echo.headers['x-forwarded-proto'], 'http', 'the request came through the proxy');
});
