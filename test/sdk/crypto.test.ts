// The SDK's crypto (assembly/crypto): SHA-256, HMAC-SHA256, RSA PKCS#1 v1.5 / SHA-256 verification,
// base64url and timing-safe compare, run in a test module on the real host. Vectors from FIPS 180-2,
// RFC 4231 and RFC 7515 (appendix A.1, A.2), then differential checks against node:crypto.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { buildFilter, FilterHarness, weftRoot } from '../../sdk/testing/index.js';

let h: FilterHarness;

function put(data: string | Uint8Array): [number, number] {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  return [h.allocate(b), b.length];
}
function said(): string {
  return h.logMessages().at(-1)!;
}
function sha256(data: string | Uint8Array): string {
  h.callExport('crypto_sha256', ...put(data));
  return said();
}
function hmac(key: Uint8Array, data: Uint8Array): string {
  h.callExport('crypto_hmac', ...put(key), ...put(data));
  return said();
}
function rsaVerify(n: Uint8Array, e: Uint8Array, message: Uint8Array, signature: Uint8Array): number {
  return h.callExport('crypto_rsa_verify', ...put(n), ...put(e), ...put(message), ...put(signature));
}
function jwkParts(key: KeyObject): { n: Buffer; e: Buffer } {
  const jwk = key.export({ format: 'jwk' }) as { n: string; e: string };
  return { n: Buffer.from(jwk.n, 'base64url'), e: Buffer.from(jwk.e, 'base64url') };
}

// RFC 7515 appendix A.2: the RS256 example key (public part), signing input and signature.
const A2_N =
  'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ';
const A2_INPUT = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
const A2_SIG =
  'cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw';

describe('SDK crypto on the real host', () => {
  before(async () => {
    h = await FilterHarness.load(await buildFilter(join(weftRoot, 'test', 'sdk', 'assembly'), { entries: ['crypto-probe.ts'] }), { callbackCpuMs: 0 });
  });

  it('SHA-256: FIPS 180-2 vectors, and node:crypto on random inputs fed whole and in pieces', () => {
    assert.equal(sha256(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    assert.equal(sha256('a'.repeat(1_000_000)), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
    for (let i = 0; i < 150; i++) {
      const data = randomBytes(i < 130 ? i : 1 + Math.floor(Math.random() * 5000));
      assert.equal(sha256(data), createHash('sha256').update(data).digest('hex'), `length ${data.length}`);
      const chunk = 1 + (i % 70);
      h.callExport('crypto_sha256_chunked', ...put(data), chunk);
      assert.equal(said(), createHash('sha256').update(data).digest('hex'), `length ${data.length} in ${chunk}-byte pieces`);
    }
  });

  it('HMAC-SHA256: RFC 4231 test cases, and node:crypto with keys shorter and longer than a block', () => {
    const cases: [string, string, string][] = [
      ['0b'.repeat(20), Buffer.from('Hi There').toString('hex'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [Buffer.from('Jefe').toString('hex'), Buffer.from('what do ya want for nothing?').toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      ['aa'.repeat(20), 'dd'.repeat(50), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
      ['0102030405060708090a0b0c0d0e0f10111213141516171819', 'cd'.repeat(50), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
      ['aa'.repeat(131), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First').toString('hex'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
      [
        'aa'.repeat(131),
        Buffer.from('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.').toString('hex'),
        '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      ],
    ];
    for (const [key, data, mac] of cases) assert.equal(hmac(Buffer.from(key, 'hex'), Buffer.from(data, 'hex')), mac);
    for (let i = 0; i < 60; i++) {
      const key = randomBytes(i * 3);
      const data = randomBytes(i * 17);
      assert.equal(hmac(key, data), createHmac('sha256', key).update(data).digest('hex'));
    }
    // RFC 7515 A.1: the HS256 example.
    const k = Buffer.from('AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow', 'base64url');
    const input = 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
    assert.equal(hmac(k, Buffer.from(input)), Buffer.from('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'base64url').toString('hex'));
  });

  it('RSA PKCS#1 v1.5 SHA-256: the RFC 7515 A.2 example verifies; any change does not', () => {
    const n = Buffer.from(A2_N, 'base64url');
    const e = Buffer.from('AQAB', 'base64url');
    const sig = Buffer.from(A2_SIG, 'base64url');
    assert.equal(rsaVerify(n, e, Buffer.from(A2_INPUT), sig), 1);
    assert.equal(rsaVerify(n, e, Buffer.from(A2_INPUT + 'x'), sig), 0, 'another message');
    for (const at of [0, 100, sig.length - 1]) {
      const bad = Buffer.from(sig);
      bad[at]! ^= 0x01;
      assert.equal(rsaVerify(n, e, Buffer.from(A2_INPUT), bad), 0, `bit flipped at byte ${at}`);
    }
    assert.equal(rsaVerify(n, e, Buffer.from(A2_INPUT), sig.subarray(1)), 0, 'a signature shorter than the modulus');
    assert.equal(rsaVerify(n, e, Buffer.from(A2_INPUT), Buffer.concat([Buffer.alloc(1), sig])), 0, 'a signature longer than the modulus');
    assert.equal(rsaVerify(n, e, Buffer.from(A2_INPUT), n), 0, 'a signature equal to the modulus is out of range');
  });

  it('RSA: verifies node:crypto signatures for 2048, 3072 and 4096-bit keys and e = 3; refuses unusable keys', () => {
    for (const [bits, exponent] of [[2048, 65537], [3072, 65537], [4096, 65537], [2048, 3]] as const) {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: exponent });
      const { n, e } = jwkParts(publicKey);
      for (let i = 0; i < 3; i++) {
        const message = randomBytes(i * 40);
        const signature = sign('sha256', message, privateKey);
        assert.equal(rsaVerify(n, e, message, signature), 1, `${bits}-bit e=${exponent}`);
        assert.equal(rsaVerify(n, e, Buffer.concat([message, Buffer.of(0)]), signature), 0);
      }
      const sha1 = sign('sha1', Buffer.from('m'), privateKey);
      assert.equal(rsaVerify(n, e, Buffer.from('m'), sha1), 0, 'a SHA-1 signature is not a SHA-256 one');
    }
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const s = jwkParts(small);
    assert.equal(rsaVerify(s.n, s.e, Buffer.from('m'), randomBytes(128)), 2, '1024-bit keys are refused');
    const ok = jwkParts(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
    assert.equal(rsaVerify(ok.n, Buffer.of(1, 0, 0), Buffer.from('m'), randomBytes(256)), 2, 'an even exponent is refused');
    const even = Buffer.from(ok.n);
    even[even.length - 1]! &= 0xfe;
    assert.equal(rsaVerify(even, ok.e, Buffer.from('m'), randomBytes(256)), 2, 'an even modulus is refused');
  });

  it('base64url is strict (alphabet, no padding, zero trailing bits); base64 takes padding', () => {
    const b64 = (text: string, url: boolean): string => {
      h.callExport('crypto_base64', ...put(text), url ? 1 : 0);
      return said();
    };
    for (let i = 0; i < 40; i++) {
      const data = randomBytes(i);
      assert.equal(b64(data.toString('base64url'), true), `${data.toString('hex')} ${data.toString('base64url')}`);
      assert.equal(b64(data.toString('base64'), false), `${data.toString('hex')} ${data.toString('base64url')}`);
    }
    for (const bad of ['a', 'ab+c', 'ab/c', 'YQ==', 'YR', 'Y Q', 'Y\nQ']) assert.equal(b64(bad, true), 'null', JSON.stringify(bad));
    for (const bad of ['a', 'ab-c', 'YQ=', 'YQ===', 'YR==']) assert.equal(b64(bad, false), 'null', JSON.stringify(bad));
  });

  it('timingSafeEqual compares whole buffers', () => {
    const eq = (a: string, b: string) => h.callExport('crypto_equal', ...put(a), ...put(b));
    assert.equal(eq('secret', 'secret'), 1);
    assert.equal(eq('secret', 'secreT'), 0);
    assert.equal(eq('Secret', 'secret'), 0);
    assert.equal(eq('secret', 'secret!'), 0);
    assert.equal(eq('', ''), 1);
    assert.equal(h.failed, false);
  });
});
