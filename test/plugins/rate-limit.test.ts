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
