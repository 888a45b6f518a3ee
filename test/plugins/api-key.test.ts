// api-key through the proxy: a known key reaches the upstream as its consumer, without the key; others get 401.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { send, startPluginProxy, startUpstream, type PluginProxy } from './proxy.js';

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: PluginProxy;
before(async () => {
  upstream = await startUpstream();
  const sha256 = createHash('sha256').update('s3cret-key').digest('hex');
  proxy = await startPluginProxy('api-key', { keys: [{ name: 'ci', sha256, metadata: { 'x-team': 'platform' } }] }, upstream.port);
});
after(async () => {
  await proxy.close();
  await upstream.close();
});

it('forwards requests with a known key as its consumer and refuses the rest', async () => {
  const ok = await send(proxy.port, '/jobs', { headers: { 'x-api-key': 's3cret-key' } });
  assert.equal(ok.status, 200);
  assert.equal(upstream.seen[0]!.headers['x-api-consumer'], 'ci');
  assert.equal(upstream.seen[0]!.headers['x-team'], 'platform');
  assert.equal(upstream.seen[0]!.headers['x-api-key'], undefined);
  for (const headers of [{}, { 'x-api-key': 'guess' }] as Record<string, string>[]) {
    const r = await send(proxy.port, '/jobs', { headers });
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'ApiKey realm="weft"');
  }
  assert.equal(upstream.seen.length, 1);
});
