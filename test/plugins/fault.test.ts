// fault through the proxy: aborts in scope are answered by the proxy; delayed requests are held by
// the plugin's timer and then reach the upstream, while other requests flow meanwhile.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { send, startPluginProxy, startUpstream, type PluginProxy } from './proxy.js';

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: PluginProxy;
before(async () => {
  upstream = await startUpstream();
  proxy = await startPluginProxy('fault', { match: { headers: { 'x-chaos': '*' } }, abort: { percentage: 100, status: 503 } }, upstream.port);
});
after(async () => {
  await proxy.close();
  await upstream.close();
});

it('aborts requests in scope and passes the others', async () => {
  const hit = await send(proxy.port, '/', { headers: { 'x-chaos': 'on' } });
  assert.equal(hit.status, 503);
  assert.equal(hit.headers['x-weft-fault'], 'abort');
  assert.equal((await send(proxy.port, '/')).status, 200);
  assert.equal(upstream.seen.length, 1);
  assert.equal(await proxy.metric('fault_aborts_total'), 1);
});

it('holds delayed requests on the timer without blocking others', async () => {
  const delayed = await startPluginProxy('fault', { match: { headers: { 'x-slow': '*' } }, delay: { percentage: 100, duration_ms: 300 } }, upstream.port);
  try {
    const before = upstream.seen.length;
    const slow = send(delayed.port, '/slow', { headers: { 'x-slow': '1' } });
    const fast = await send(delayed.port, '/fast');
    assert.equal(fast.status, 200, 'a request out of scope is not held behind the delayed one');
    assert.equal(await delayed.metric('fault_active_delays'), 1);
    assert.equal((await slow).status, 200);
    assert.deepEqual(upstream.seen.slice(before).map((s) => s.url), ['/fast', '/slow']);
    assert.equal(await delayed.metric('fault_active_delays'), 0);
  } finally {
    await delayed.close();
  }
});
