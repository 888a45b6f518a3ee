// auth-jwt through the proxy: a valid RS256 token reaches the upstream with its claims as headers; a
// missing or forged one is answered 401 by the proxy and never reaches it.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { send, startPluginProxy, startUpstream, type PluginProxy } from './proxy.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...(publicKey.export({ format: 'jwk' }) as object), kid: 'k1', alg: 'RS256' };
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function token(claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: PluginProxy;
before(async () => {
  upstream = await startUpstream();
  proxy = await startPluginProxy('auth-jwt', { jwks: { keys: [jwk] }, issuer: 'https://id.test', forward_claims: { sub: 'x-user' } }, upstream.port);
});
after(async () => {
  await proxy.close();
  await upstream.close();
});

it('lets a valid token through with its claims, and answers 401 otherwise', async () => {
  const exp = Math.floor(Date.now() / 1000) + 300;
  const ok = await send(proxy.port, '/orders', { headers: { authorization: `Bearer ${token({ sub: 'alice', iss: 'https://id.test', exp })}`, 'x-user': 'mallory' } });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(upstream.seen.length, 1);
  assert.equal(upstream.seen[0]!.headers['x-user'], 'alice');
  assert.equal(upstream.seen[0]!.headers.authorization, undefined);

  const missing = await send(proxy.port, '/orders');
  assert.equal(missing.status, 401);
  assert.equal(missing.headers['www-authenticate'], 'Bearer realm="weft"');
  const forged = await send(proxy.port, '/orders', { headers: { authorization: `Bearer ${token({ sub: 'alice', iss: 'https://evil.test', exp })}` } });
  assert.equal(forged.status, 401);
  assert.match(String(forged.headers['www-authenticate']), /issuer not allowed/);
  assert.equal(upstream.seen.length, 1, 'refused requests never reach the upstream');
  assert.equal(await proxy.metric('auth_jwt_allowed_total'), 1);
  assert.equal(await proxy.metric('auth_jwt_denied_total'), 1);
});
