// transform through the proxy: request headers and path rewritten before the upstream, its JSON
// response masked and re-framed (no stale content-length) before the client.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { send, startPluginProxy, startUpstream, type PluginProxy } from './proxy.js';

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: PluginProxy;
before(async () => {
  upstream = await startUpstream((req, _body, res) => {
    const body = JSON.stringify({ user: { email: 'alice@example.com', card: '4111-1111-1111-1111' }, path: req.url, note: 'see internal.corp' });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), server: 'app/1.0' });
    res.end(body);
  });
  proxy = await startPluginProxy(
    'transform',
    {
      request: { headers: { rename: { 'x-user-id': 'x-account' }, add: { 'x-via': 'weft' } }, path: { prefix: '/api/', replacement: '/' }, json_redact: [{ path: 'card', mode: 'card' }] },
      response: { headers: { remove: ['server'] }, json_redact: [{ path: 'user.email', mode: 'email' }, { path: 'user.card', mode: 'card' }], text_replace: [{ find: 'internal.corp', replace: 'example.com' }] },
    },
    upstream.port,
  );
});
after(async () => {
  await proxy.close();
  await upstream.close();
});

it('rewrites the request on the way in and masks the response on the way out', async () => {
  const r = await send(proxy.port, '/api/users/7', { headers: { 'x-user-id': '7' } });
  assert.equal(r.status, 200);
  const seen = upstream.seen[0]!;
  assert.equal(seen.url, '/users/7');
  assert.equal(seen.headers['x-account'], '7');
  assert.equal(seen.headers['x-user-id'], undefined);
  assert.equal(seen.headers['x-via'], 'weft');
  assert.deepEqual(JSON.parse(r.body), { user: { email: 'a***@example.com', card: '****-****-****-1111' }, path: '/users/7', note: 'see example.com' });
  assert.equal(r.headers.server, undefined);
  assert.notEqual(r.headers['content-length'], String(Buffer.byteLength(JSON.stringify({ user: { email: 'alice@example.com' } }))));
  if (r.headers['content-length'] !== undefined) assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));

  const body = JSON.stringify({ card: '4111111111111111', qty: 2 });
  const paid = await send(proxy.port, '/api/pay', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, body });
  assert.equal(paid.status, 200);
  const pay = upstream.seen[1]!;
  assert.deepEqual(JSON.parse(pay.body), { card: '************1111', qty: 2 }, 'the request body is masked before the upstream sees it');
  assert.equal(pay.headers['content-length'], undefined, 'sent chunked: the original length no longer holds');
});
