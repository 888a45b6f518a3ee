// A real Wasm network filter (the SDK's tcp-guard example, compiled by the test) on the TCP proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { Logging } from '../../lib/log.js';
import { PluginManager } from '../../proxy/wasm/index.js';
import { startProxy, until } from '../http1/harness.js';
import { buildFilter, bundledSdk as sdkRoot } from '../../sdk/testing/index.js';

let dir: string;
let modulePath: string;

before(async () => {
  const built = await buildFilter(join(sdkRoot, 'examples', 'tcp-guard'), { target: 'release' });
  dir = mkdtempSync(join(tmpdir(), 'weft-tcp-guard-'));
  modulePath = join(dir, 'tcp-guard.wasm');
  writeFileSync(modulePath, built.wasm);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('tcp-guard passes ordinary bytes both ways and closes a connection that sends a forbidden token', async () => {
  const echo = net.createServer({ allowHalfOpen: true }, (s: Socket) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const config = JSON.stringify({
    listeners: [{ name: 'main', address: '127.0.0.1:0', protocol: 'tcp', tcp: { cluster: 'db', filter_chain: 'guard' } }],
    clusters: [{ name: 'db', endpoints: [{ address: `127.0.0.1:${(echo.address() as AddressInfo).port}` }] }],
    plugins: [{ name: 'tcp-guard', module: { file: modulePath }, root_id: 'tcp_guard', configuration: { deny: ['DROP TABLE'] }, filter_chains: ['guard'] }],
  });
  const logging = new Logging({ level: 'silent' });
  const pluginMetrics = new Registry();
  const plugins = new PluginManager({ logging, registry: pluginMetrics });
  const proxy = await startProxy(config, { filterChains: plugins });
  try {
    const ok = net.connect(proxy.port, '127.0.0.1');
    ok.on('error', () => {});
    await once(ok, 'connect');
    const chunks: Buffer[] = [];
    ok.on('data', (d: Buffer) => chunks.push(d));
    ok.write('SELECT 1;');
    await until(() => Buffer.concat(chunks).toString() === 'SELECT 1;', 10_000, 'the echo through the filter');
    ok.end();
    await once(ok, 'close');

    const bad = net.connect(proxy.port, '127.0.0.1');
    bad.on('error', () => {});
    await once(bad, 'connect');
    const got: Buffer[] = [];
    bad.on('data', (d: Buffer) => got.push(d));
    bad.write('DROP TABLE users;');
    await once(bad, 'close');
    assert.equal(Buffer.concat(got).length, 0, 'the forbidden bytes never came back from the upstream');
    assert.match(await pluginMetrics.metrics(), /tcp_guard_closed_total\S* 1/);
  } finally {
    await proxy.close();
    await plugins.close();
    echo.close();
  }
});
