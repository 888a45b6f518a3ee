// The SDK's header-map serialization against the spec's format, through the test probe on the FAKE
// in-test host: byte-exact round trips, the spec's own example, and no trap on malformed input.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFilter, weftRoot } from '../../sdk/testing/index.js';
import { FakeHost, serializePairs, type Pairs } from './fake-host.js';

let host: FakeHost;

function sdkRoundTrip(bytes: Uint8Array): string {
  const ptr = host.exports.proxy_on_memory_allocate!(bytes.length) >>> 0;
  new Uint8Array((host.instance.exports.memory as { buffer: ArrayBuffer }).buffer).set(bytes, ptr);
  host.logs.length = 0;
  host.exports.probe_pairs!(ptr, bytes.length);
  return host.logs[0]!.message;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Reference reader with the SDK's bounds rules: pair count, or null when malformed. */
function referenceCount(b: Uint8Array): number | null {
  if (b.length < 4) return b.length <= 1 ? 0 : null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = dv.getUint32(0, true);
  if (n > Math.floor((b.length - 4) / 8)) return null;
  let at = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    at += dv.getUint32(4 + 8 * i, true) + dv.getUint32(8 + 8 * i, true) + 2;
    if (at > b.length) return null;
  }
  return n;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

describe('SDK header-map serialization', () => {
  before(async () => {
    host = await FakeHost.load((await buildFilter(join(weftRoot, 'test', 'sdk', 'assembly'), { entries: ['api-probe.ts'] })).wasm);
  });

  it("matches the spec's example byte for byte", () => {
    const spec = new Uint8Array([
      2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
      0x61, 0, 0x31, 0, 0x62, 0, 0x32, 0x32, 0,
    ]);
    assert.deepEqual(serializePairs([['a', '1'], ['b', '22']]), spec);
    assert.equal(sdkRoundTrip(spec), `pairs:2:${hex(spec)}`);
  });

  it('reads both empty-map encodings', () => {
    assert.equal(sdkRoundTrip(new Uint8Array(0)), 'pairs:0:');
    assert.equal(sdkRoundTrip(new Uint8Array([0])), 'pairs:0:');
  });

  it('round-trips 500 random maps byte for byte (UTF-8, empty names and values)', () => {
    const r = rng(7);
    const words = ['', 'a', ':path', 'x-ü', '✓', 'value with spaces', '😀', 'k'.repeat(300)];
    for (let i = 0; i < 500; i++) {
      const pairs: Pairs = Array.from({ length: Math.floor(r() * 6) + 1 }, () => [
        words[Math.floor(r() * words.length)]!, words[Math.floor(r() * words.length)]!,
      ]);
      const bytes = serializePairs(pairs);
      assert.equal(sdkRoundTrip(bytes), `pairs:${pairs.length}:${hex(bytes)}`, `map ${i}`);
    }
  });

  it('rejects truncated and inconsistent input without trapping (2000 random and cut buffers)', () => {
    const r = rng(11);
    const valid = serializePairs([['host', 'example.com'], ['x-a', '1'], ['x-b', '']]);
    for (let cut = 0; cut < valid.length; cut++) {
      const out = sdkRoundTrip(valid.subarray(0, cut));
      const expected = referenceCount(valid.subarray(0, cut));
      assert.equal(out === 'null' ? null : Number(out.split(':')[1]), expected, `cut at ${cut}`);
    }
    for (let i = 0; i < 2000; i++) {
      const b = new Uint8Array(Math.floor(r() * 40));
      for (let j = 0; j < b.length; j++) b[j] = r() < 0.5 ? Math.floor(r() * 4) : Math.floor(r() * 256);
      if (b.length >= 4 && r() < 0.5) b[0] = Math.floor(r() * 4);
      if (b.length >= 4 && r() < 0.5) { b[1] = 0; b[2] = 0; b[3] = 0; }
      const out = sdkRoundTrip(b);
      const expected = referenceCount(b);
      assert.equal(out === 'null' ? null : Number(out.split(':')[1]), expected, `random buffer ${i}: ${hex(b)}`);
    }
  });
});
