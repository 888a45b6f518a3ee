// rate-limit through the proxy: the bucket of a client empties and the proxy answers 429 with
// Retry-After and x-ratelimit-* headers; allowed responses carry the headers too.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { send, startPluginProxy, startUpstream, type PluginProxy } from './proxy.js';

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: PluginProxy;
before(async () => {
  upstream = await startUpstream();
  // One token an hour: a second request within the test is always refused, however slow the machine.
  proxy = await startPluginProxy('rate-limit', { key: 'header:x-client', max_tokens: 2, tokens_per_fill: 1, fill_interval_ms: 3_600_000 }, upstream.port);
});
after(async () => {
  await proxy.close();
  await upstream.close();
});

it('answers 429 once a key has used its tokens, per key', async () => {
  const a1 = await send(proxy.port, '/', { headers: { 'x-client': 'a' } });
  assert.equal(a1.status, 200);
  assert.equal(a1.headers['x-ratelimit-limit'], '2');
  assert.equal(a1.headers['x-ratelimit-remaining'], '1');
  assert.equal((await send(proxy.port, '/', { headers: { 'x-client': 'a' } })).status, 200);
  const limited = await send(proxy.port, '/', { headers: { 'x-client': 'a' } });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers['retry-after']) > 3000, String(limited.headers['retry-after']));
  assert.equal(limited.headers['x-ratelimit-remaining'], '0');
  assert.equal((await send(proxy.port, '/', { headers: { 'x-client': 'b' } })).status, 200);
  assert.equal(upstream.seen.length, 3);
  assert.equal(await proxy.metric('rate_limit_limited_total'), 1);
});

it('shares the buckets between the worker processes of `weft proxy --workers 2`', async (t) => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { buildFilter, weftRoot } = await import('../../sdk/testing/index.js');
  const { serving } = await import('../ops/fixtures.js');
  const { WeftProcess } = await import('../ops/weft-process.js');
  const dir = mkdtempSync(join(tmpdir(), 'weft-e2e-rl-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const wasm = join(dir, 'rate-limit.wasm');
  writeFileSync(wasm, (await buildFilter(join(weftRoot, 'plugins', 'rate-limit'))).wasm);
  writeFileSync(
    join(dir, 'weft.yaml'),
    JSON.stringify({
      admin: { address: '127.0.0.1:0' },
      listeners: [{ name: 'web', address: '127.0.0.1:0', http: { route_table: 'main', filter_chain: 'edge' } }],
      route_tables: [{ name: 'main', virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { path: { prefix: '/' } }, forward: { cluster: 'app' } }] }] }],
      clusters: [{ name: 'app', endpoints: [{ address: `127.0.0.1:${upstream.port}` }] }],
      plugins: [{ name: 'rl', module: { file: wasm }, filter_chains: ['edge'], vm_id: 'rl', configuration: { key: 'header:x-client', max_tokens: 5, tokens_per_fill: 1, fill_interval_ms: 3_600_000 } }],
    }),
  );
  const weft = new WeftProcess(['proxy', '--config', join(dir, 'weft.yaml'), '--workers', '2', '--no-watch']);
  t.after(() => weft.stop());
  const port = Number(new URL((await serving(weft)).web).port);
  await weft.waitFor((l) => l.msg === 'worker serving' && l.worker === 2, 'the second worker');
  // New connections are spread over the workers; with a bucket per worker up to 10 would pass.
  const statuses: number[] = [];
  const before = upstream.seen.length;
  for (let i = 0; i < 20; i++) statuses.push((await send(port, '/', { headers: { 'x-client': 'shared' } })).status);
  assert.equal(statuses.filter((s) => s === 200).length, 5, statuses.join(' '));
  assert.equal(statuses.filter((s) => s === 429).length, 15);
  const connections = new Set(upstream.seen.slice(before).map((s) => s.remotePort)).size;
  t.diagnostic(`allowed requests reached the upstream over ${connections} connection(s) (one pool per worker)`);
});
