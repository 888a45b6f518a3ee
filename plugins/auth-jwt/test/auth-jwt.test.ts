// auth-jwt on the real host: RFC 7515 examples, RS256/HS256 tokens signed by node:crypto, key
// selection, exp/nbf/iss/aud with clock skew, claims to headers, 401 challenges, configuration errors.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { buildFilter, FakeClock, loadFilter, PluginStartError, weftRoot, type FilterHarness, type FilterModule, type HarnessOptions } from '../../../sdk/testing/index.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const nowS = NOW / 1000;
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

let filter: FilterModule;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa2 = generateKeyPairSync('rsa', { modulusLength: 3072 });
const secret = randomBytes(32);

function jwk(key: KeyObject, kid: string): Record<string, string> {
  const { n, e } = key.export({ format: 'jwk' }) as { n: string; e: string };
  return { kty: 'RSA', kid, n, e, alg: 'RS256', use: 'sig' };
}
const JWKS = {
  keys: [
    { kty: 'EC', kid: 'ec', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' },
    jwk(rsa.publicKey, 'rsa-1'),
    jwk(rsa2.publicKey, 'rsa-2'),
    { kty: 'oct', kid: 'hmac-1', k: secret.toString('base64url') },
  ],
};

function rs256(payload: unknown, header: Record<string, unknown> = { alg: 'RS256', kid: 'rsa-1' }, key: KeyObject = rsa.privateKey): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}
function hs256(payload: unknown, header: Record<string, unknown> = { alg: 'HS256', kid: 'hmac-1' }, key: Uint8Array = secret): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

async function start(config: Record<string, unknown> = {}, options: HarnessOptions = {}): Promise<FilterHarness> {
  return filter.start({ configuration: { jwks: JWKS, ...config }, clock: new FakeClock(NOW), ...options });
}

/** Sends a request with `authorization` and returns the stream. */
function request(h: FilterHarness, authorization?: string, extra: Record<string, string> = {}) {
  const s = h.http();
  s.sendRequestHeaders({ ':path': '/api', ...(authorization !== undefined ? { authorization } : {}), ...extra }, true);
  return s;
}

function challenge(s: ReturnType<typeof request>): string | undefined {
  assert.equal(s.localResponse?.status, 401, `expected 401, got ${s.clientStatus}`);
  return s.localResponse?.headers.get('www-authenticate');
}

describe('auth-jwt', () => {
  before(async () => {
    filter = await loadFilter(await buildFilter(join(weftRoot, 'plugins', 'auth-jwt')));
  });

  it('verifies the RFC 7515 A.1 (HS256) and A.2 (RS256) examples while they were valid', async () => {
    const a1 = 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const a1Key = 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow';
    const a2 =
      'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw';
    const a2N =
      'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ';
    const clock = new FakeClock(Date.parse('2011-03-22T18:00:00Z')); // exp 1300819380 is 18:43
    const h = await filter.start({
      clock,
      configuration: { jwks: { keys: [{ kty: 'oct', k: a1Key }, { kty: 'RSA', n: a2N, e: 'AQAB' }] }, issuer: 'joe', forward_claims: { iss: 'x-jwt-iss', 'http://example': 'x-ignored' } },
    });
    for (const token of [a1, a2]) {
      const s = request(h, `Bearer ${token}`);
      assert.equal(s.localResponse, undefined, s.localResponse?.text);
      assert.equal(s.request.headers?.get('x-jwt-iss'), 'joe');
      assert.equal(s.request.headers?.has('authorization'), false, 'the token is not forwarded by default');
    }
    clock.setWallTime(Date.parse('2011-03-22T18:45:00Z'));
    assert.match(challenge(request(h, `Bearer ${a2}`))!, /error="invalid_token", error_description="token expired"/);
    assert.equal(h.metric('auth_jwt_allowed_total'), 2);
    assert.equal(h.metric('auth_jwt_denied_total'), 1);
    h.close();
  });

  it('picks the key by kid, or tries every key of the algorithm; refuses unknown kids and foreign keys', async () => {
    const h = await start();
    const claims = { sub: 'alice', exp: nowS + 60 };
    assert.equal(request(h, `Bearer ${rs256(claims)}`).localResponse, undefined);
    assert.equal(request(h, `Bearer ${rs256(claims, { alg: 'RS256', kid: 'rsa-2' }, rsa2.privateKey)}`).localResponse, undefined);
    assert.equal(request(h, `Bearer ${rs256(claims, { alg: 'RS256' }, rsa2.privateKey)}`).localResponse, undefined, 'no kid: every RS256 key is tried');
    assert.equal(request(h, `bearer ${hs256(claims)}`).localResponse, undefined, 'the scheme is case-insensitive');
    assert.match(challenge(request(h, `Bearer ${rs256(claims, { alg: 'RS256', kid: 'rsa-1' }, rsa2.privateKey)}`))!, /invalid signature/);
    assert.match(challenge(request(h, `Bearer ${rs256(claims, { alg: 'RS256', kid: 'nope' })}`))!, /unknown kid/);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.match(challenge(request(h, `Bearer ${rs256(claims, { alg: 'RS256' }, stranger.privateKey)}`))!, /invalid signature/);
    assert.match(challenge(request(h, `Bearer ${hs256(claims, { alg: 'HS256', kid: 'hmac-1' }, randomBytes(32))}`))!, /invalid signature/);
    h.close();
  });

  it('refuses alg none, algorithm confusion, tampering and malformed tokens', async () => {
    const h = await start();
    const claims = { sub: 'alice', exp: nowS + 60 };
    const good = rs256(claims);
    const [head, , sig] = good.split('.');
    const cases: [string, RegExp][] = [
      [`${b64({ alg: 'none' })}.${b64(claims)}.`, /unsupported alg/],
      [`${b64({ alg: 'RS384', kid: 'rsa-1' })}.${b64(claims)}.${sig}`, /unsupported alg/],
      // HS256 "signed" with the RSA public key's bytes as the secret: the kid names an RSA key.
      [hs256(claims, { alg: 'HS256', kid: 'rsa-1' }, Buffer.from(JWKS.keys[1]!.n!, 'base64url')), /unknown kid/],
      [`${head}.${b64({ ...claims, sub: 'mallory' })}.${sig}`, /invalid signature/],
      [`${head}.${b64(claims)}.${sig!.slice(0, -2)}`, /invalid signature|malformed/],
      [`${head}.${b64(claims)}`, /malformed token/],
      [`${head}.${b64(claims)}.${sig}.x`, /malformed token/],
      [`${head}.${b64(claims)}.${sig!.replace(/-/g, '+')}x`, /malformed token/],
      [`${b64('not json')}.${b64(claims)}.${sig}`, /malformed token header/],
      [rs256(claims, { alg: 'RS256', kid: 'rsa-1', crit: ['exp'] }), /critical/],
      [rs256('[1,2]'), /malformed token payload/],
      ['x'.repeat(9000), /token too large/],
    ];
    for (const [token, why] of cases) {
      const s = request(h, `Bearer ${token}`);
      assert.match(challenge(s)!, why, token.slice(0, 60));
      assert.equal(s.request.headersForwarded, false);
    }
    assert.match(challenge(request(h, `Basic ${Buffer.from('a:b').toString('base64')}`))!, /expected a bearer token/);
    assert.equal(h.failed, false);
    h.close();
  });

  it('checks exp and nbf with clock skew, and iss and aud', async () => {
    const h = await start({ clock_skew_seconds: 60, issuer: ['https://id.example', 'https://other.example'], audiences: 'api' });
    const base = { iss: 'https://id.example', aud: ['web', 'api'] };
    const ok = (claims: Record<string, unknown>) => request(h, `Bearer ${rs256({ ...base, ...claims })}`).localResponse === undefined;
    assert.ok(ok({ exp: nowS - 30 }), 'expired 30 s ago, within the skew');
    assert.ok(!ok({ exp: nowS - 61 }));
    assert.ok(ok({ exp: nowS + 3600, nbf: nowS + 30 }), 'valid in 30 s, within the skew');
    assert.ok(!ok({ exp: nowS + 3600, nbf: nowS + 61 }));
    assert.ok(!ok({}), 'exp is required');
    assert.ok(!ok({ exp: 'tomorrow' }));
    assert.ok(ok({ exp: nowS + 10, iss: 'https://other.example', aud: 'api' }));
    assert.ok(!ok({ exp: nowS + 10, iss: 'https://evil.example' }));
    assert.ok(!ok({ exp: nowS + 10, aud: ['web'] }));
    assert.ok(!ok({ exp: nowS + 10, aud: undefined }));
    h.close();
    const lax = await start({ require_exp: false, clock_skew_seconds: 0 });
    assert.equal(request(lax, `Bearer ${rs256({ sub: 'x' })}`).localResponse, undefined);
    assert.notEqual(request(lax, `Bearer ${rs256({ sub: 'x', exp: nowS - 1 })}`).localResponse, undefined);
    lax.close();
  });

  it('forwards chosen claims as headers, drops spoofed ones, and keeps the token when asked', async () => {
    const h = await start({
      forward_token: true,
      forward_payload_header: 'x-jwt-payload',
      forward_claims: { sub: 'x-user', 'realm_access.roles': 'x-roles', admin: 'x-admin', exp: 'x-exp', note: 'x-note', missing: 'x-missing' },
    });
    const claims = { sub: 'alice', realm_access: { roles: ['read', 'write'] }, admin: false, exp: nowS + 60, note: 'line1\r\nx-injected: 1' };
    const token = rs256(claims);
    const s = request(h, `Bearer ${token}`, { 'x-user': 'mallory', 'x-missing': 'spoofed', 'x-jwt-payload': 'spoofed' });
    assert.equal(s.localResponse, undefined);
    const got = s.request.headers!;
    assert.equal(got.get('x-user'), 'alice');
    assert.equal(got.get('x-roles'), 'read,write');
    assert.equal(got.get('x-admin'), 'false');
    assert.equal(got.get('x-exp'), String(nowS + 60));
    assert.equal(got.has('x-note'), false, 'a claim with CR/LF never becomes a header');
    assert.equal(got.has('x-missing'), false, 'a header named for a claim the token lacks is removed, not passed through');
    assert.equal(got.get('x-jwt-payload'), token.split('.')[1]);
    assert.equal(got.get('authorization'), `Bearer ${token}`);
    h.close();
  });

  it('answers 401 with a Bearer challenge when the token is missing, unless missing tokens are allowed', async () => {
    const h = await start({ realm: 'shop' });
    const s = request(h);
    assert.equal(challenge(s), 'Bearer realm="shop"');
    assert.equal(s.localResponse?.text, 'authentication required\n');
    assert.equal(s.info.responseCodeDetails, 'jwt_missing');
    assert.equal(h.metric('auth_jwt_missing_total'), 1);
    h.close();
    const open = await start({ allow_missing: true, forward_claims: { sub: 'x-user' } });
    const anon = request(open, undefined, { 'x-user': 'spoofed' });
    assert.equal(anon.localResponse, undefined);
    assert.equal(anon.request.headers?.has('x-user'), false);
    assert.equal(challenge(request(open, 'Bearer nonsense'))?.includes('invalid_token'), true, 'a bad token is still refused');
    open.close();
  });

  it('reads the token from another header and prefix; takes the JWKS as JSON text', async () => {
    const h = await start({ jwks: JSON.stringify(JWKS), from_header: 'X-Token', prefix: '' });
    const s = request(h, undefined, { 'x-token': hs256({ exp: nowS + 5 }) });
    assert.equal(s.localResponse, undefined);
    h.close();
  });

  it('rejects configurations it cannot enforce', async () => {
    const bad: [unknown, RegExp][] = [
      ['{', /configuration is not JSON/],
      [{}, /jwks .* is required/],
      [{ jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }] } }, /no usable HS256 or RS256 key/],
      [{ jwks: { keys: [{ kty: 'oct', k: Buffer.from('short').toString('base64url') }] } }, /at least 32 bytes/],
      [{ jwks: { keys: [jwk(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, 'weak')] } }, /not a usable RSA public key/],
      [{ jwks: JWKS, issuer: 5 }, /issuer must be/],
      [{ jwks: JWKS, clock_skew_seconds: -1 }, /clock_skew_seconds/],
      [{ jwks: JWKS, forward_claims: { sub: 'bad header' } }, /must name a header/],
      [{ jwks: JWKS, realm: 'a"b' }, /realm/],
    ];
    for (const [configuration, why] of bad) {
      await assert.rejects(filter.start({ configuration }), (e: unknown) => {
        assert.ok(e instanceof PluginStartError);
        assert.match(e.logs.map((l) => l.message).join('\n'), why);
        return true;
      });
    }
  });
});
