// Differential fuzzing of the SDK's JSON reader against V8's JSON.parse, through the test probe on the
// FAKE in-test host: same acceptance, same value (compared after the SDK re-serializes), no trap on
// any byte string, a bounded nesting depth and strict UTF-8.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFilter, weftRoot } from '../../sdk/testing/index.js';
import { FakeHost } from './fake-host.js';

const enc = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
let host: FakeHost;

function sdkParse(bytes: Uint8Array): { ok: true; json: string } | { ok: false; error: string } {
  const ptr = host.exports.proxy_on_memory_allocate!(bytes.length) >>> 0;
  new Uint8Array((host.instance.exports.memory as { buffer: ArrayBuffer }).buffer).set(bytes, ptr);
  host.logs.length = 0;
  host.exports.probe_json!(ptr, bytes.length);
  const out = host.logs[0]!.message;
  return out.startsWith('ok:') ? { ok: true, json: out.slice(3) } : { ok: false, error: out.slice(4) };
}

function jsParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function depth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + children.reduce((m: number, c) => Math.max(m, depth(c)), 0);
}

/** Asserts the SDK and JSON.parse agree on `text`. */
function agree(raw: string, note: string): void {
  // The SDK reads UTF-8: compare against the text as UTF-8 carries it (raw lone surrogates → U+FFFD).
  const bytes = enc.encode(raw);
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const theirs = jsParse(text);
  const ours = sdkParse(bytes);
  if (theirs.ok && depth(theirs.value) > 64) {
    assert.equal(ours.ok, false, `${note}: over-deep input must be rejected`);
    return;
  }
  assert.equal(ours.ok, theirs.ok, `${note}: acceptance differs for ${JSON.stringify(text)}: ${ours.ok ? '' : (ours as { error: string }).error}`);
  if (ours.ok && theirs.ok) {
    assert.deepEqual(JSON.parse(ours.json), JSON.parse(JSON.stringify(theirs.value)), `${note}: value differs for ${JSON.stringify(text)}`);
  }
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\u0001', 'é', '€', '😀', '\ud800', '\udc00', '\u2028', '0'];

function randomString(r: () => number): string {
  let s = '';
  for (let n = Math.floor(r() * 8); n > 0; n--) s += CHARS[Math.floor(r() * CHARS.length)];
  return s;
}

function randomNumber(r: () => number): number {
  switch (Math.floor(r() * 6)) {
    case 0: return Math.floor(r() * 1000) - 500;
    case 1: return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case 2: return Number.MAX_SAFE_INTEGER - Math.floor(r() * 10);
    case 3: return r() * 1e300 * (r() < 0.5 ? -1 : 1);
    case 4: return 2 ** Math.floor(r() * 80);
    default: return Number((r() * 100).toFixed(Math.floor(r() * 6)));
  }
}

function randomValue(r: () => number, d: number): unknown {
  const k = Math.floor(r() * (d > 5 ? 4 : 6));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return randomNumber(r);
    case 3: return randomString(r);
    case 4: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, d + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let n = Math.floor(r() * 4); n > 0; n--) o[randomString(r)] = randomValue(r, d + 1);
      return o;
    }
  }
}

function withWhitespace(text: string, r: () => number): string {
  return text.replace(/[,:[\]{}]/g, (c) => (r() < 0.3 ? ' \n\t\r'[Math.floor(r() * 4)] + c : c));
}

describe('SDK JSON reader (differential against JSON.parse)', () => {
  before(async () => {
    host = await FakeHost.load((await buildFilter(join(weftRoot, 'test', 'sdk', 'assembly'), { entries: ['api-probe.ts'] })).wasm);
  });

  it('agrees on a corpus of edge cases', () => {
    const corpus = [
      '', ' ', '{}', '[]', ' [ ] ', '[1,]', '{"a":1,}', '{"a" 1}', '{,}', '[,1]', '01', '-', '-0', '0.0', '1.', '.5',
      '1e', '1e+', '1E-2', '1e400', '-1e-400', '12345678901234567890', '9223372036854775807', '-9223372036854775808',
      '9223372036854775808', '0.1', '3.141592653589793', '5e-324', '1.7976931348623157e308', 'tru', 'true', 'nul',
      'null', 'falsey', '"', '"abc', '"\\u12"', '"\\u12G4"', '"\\x"', '"a\tb"', '"\\ud800"', '"\\ud83d\\ude00"',
      '"\\udc00\\ud800"', '"\\u0000"', '"\\/\\b\\f\\n\\r\\t"', '{"a":1,"a":2}', '{"b":1,"1":2}', '\ufeff1', '[1] x',
      '{"é":"€"}', '[1,[2,[3]]]', '"\u2028"', '{"a":[{"b":null}]}', '   7   ', '+1', 'NaN', 'Infinity', '[01]',
    ];
    corpus.forEach((text, i) => agree(text, `corpus ${i}`));
  });

  it('bounds nesting at 64 levels', () => {
    assert.equal(sdkParse(enc.encode('['.repeat(64) + ']'.repeat(64))).ok, true);
    const deep = sdkParse(enc.encode('['.repeat(65) + ']'.repeat(65)));
    assert.deepEqual(deep, { ok: false, error: 'nesting too deep@64' });
    assert.equal(sdkParse(enc.encode('{"a":'.repeat(100000))).ok, false, 'a huge nesting attack is rejected');
  });

  it('rejects invalid UTF-8 with its offset', () => {
    assert.deepEqual(sdkParse(new Uint8Array([0x22, 0x61, 0xc3, 0x28, 0x22])), { ok: false, error: 'invalid UTF-8@2' });
    assert.equal(sdkParse(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22])).ok, false, 'encoded surrogate');
    assert.equal(sdkParse(new Uint8Array([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22])).ok, false, 'above U+10FFFF');
    assert.equal(sdkParse(new Uint8Array([0x22, 0xc0, 0xaf, 0x22])).ok, false, 'overlong');
  });

  it('agrees on 1500 random documents and 3000 mutations of them', () => {
    const seed = 0x5eed;
    const r = rng(seed);
    for (let i = 0; i < 1500; i++) {
      const text = withWhitespace(JSON.stringify(randomValue(r, 0)), r);
      agree(text, `seed ${seed} doc ${i}`);
      for (let m = 0; m < 2; m++) {
        const at = Math.floor(r() * (text.length + 1));
        const alphabet = '{}[]":,0-1e.tfnu\\ ab';
        const c = alphabet[Math.floor(r() * alphabet.length)]!;
        const op = Math.floor(r() * 3);
        const mutated = op === 0 ? text.slice(0, at) + c + text.slice(at)
          : op === 1 ? text.slice(0, at) + text.slice(at + 1)
            : text.slice(0, at) + c + text.slice(at + 1);
        agree(mutated, `seed ${seed} doc ${i} mutation ${m}`);
      }
    }
  });

  it('never traps on 3000 random byte strings, and rejects the invalid UTF-8 ones', () => {
    const seed = 0xb17e5;
    const r = rng(seed);
    const alphabet = enc.encode('{}[]":,0123456789-+.eEtrufalsn\\u \n\t');
    for (let i = 0; i < 3000; i++) {
      const bytes = new Uint8Array(Math.floor(r() * 24));
      for (let j = 0; j < bytes.length; j++) bytes[j] = r() < 0.7 ? alphabet[Math.floor(r() * alphabet.length)]! : Math.floor(r() * 256);
      const ours = sdkParse(bytes);
      let text: string | undefined;
      try {
        text = strictUtf8.decode(bytes);
      } catch {
        text = undefined;
      }
      if (text === undefined) assert.equal(ours.ok, false, `seed ${seed} case ${i}: invalid UTF-8 accepted`);
      else agree(text, `seed ${seed} case ${i}`);
    }
  });
});
