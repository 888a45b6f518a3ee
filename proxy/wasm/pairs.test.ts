// Property tests of the proxy-wasm map serialization and the in-place header name lookup, against plain reference code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findName, NOT_ASCII, parsePairs, serializedSize, serializePairs, writePairs } from './pairs.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The spec's layout, written the obvious way. */
function reference(list: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32LE(list.length / 2);
  parts.push(count);
  for (let i = 0; i < list.length; i += 2) {
    const sizes = Buffer.alloc(8);
    sizes.writeUInt32LE(Buffer.byteLength(list[i]!, 'latin1'), 0);
    sizes.writeUInt32LE(Buffer.byteLength(list[i + 1]!, 'latin1'), 4);
    parts.push(sizes);
  }
  for (const s of list) parts.push(Buffer.from(s, 'latin1'), Buffer.of(0));
  return Buffer.concat(parts);
}

function randomString(r: () => number, max: number, alphabet: string): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

const LATIN1 = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
const NAME = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:.';

test('writePairs/serializePairs match the reference layout and parsePairs reads them back (random latin1 maps)', () => {
  const r = rng(7);
  for (let n = 0; n < 500; n++) {
    const list: string[] = [];
    const fields = Math.floor(r() * 20);
    for (let i = 0; i < fields; i++) list.push(randomString(r, 40, LATIN1), randomString(r, r() < 0.1 ? 3000 : 60, LATIN1));
    const expected = reference(list);
    assert.equal(serializedSize(list), Math.max(4, expected.length));
    const at = Math.floor(r() * 16);
    const buf = Buffer.alloc(at + expected.length + 8, 0xee);
    writePairs(buf, at, list);
    assert.ok(buf.subarray(at, at + expected.length).equals(expected), `map ${n}`);
    assert.equal(buf[at + expected.length], 0xee, 'nothing written past the end');
    assert.ok(serializePairs(list).equals(expected));
    assert.deepEqual(parsePairs(expected), list);
  }
});

test('parsePairs rejects sizes that run past the data and reads empty maps', () => {
  assert.deepEqual(parsePairs(new Uint8Array(0)), []);
  assert.deepEqual(parsePairs(Uint8Array.of(0, 0, 0, 0)), []);
  const good = reference(['a', 'b']);
  for (let cut = 5; cut < good.length; cut++) assert.equal(parsePairs(good.subarray(0, cut)), undefined, `cut at ${cut}`);
  const huge = Buffer.from(good);
  huge.writeUInt32LE(0xffffffff, 0);
  assert.equal(parsePairs(huge), undefined);
});

test('findName agrees with lowercasing the key and scanning the map (random keys, ASCII and not)', () => {
  const r = rng(11);
  for (let n = 0; n < 2000; n++) {
    const list: string[] = [];
    const fields = Math.floor(r() * 12);
    for (let i = 0; i < fields; i++) list.push(randomString(r, 6, r() < 0.1 ? 'aàbB-' : NAME).toLowerCase(), `v${i}`);
    // half the keys are an existing name with random letter case
    let key = r() < 0.5 && fields > 0 ? list[2 * Math.floor(r() * fields)]! : randomString(r, 6, r() < 0.1 ? 'aÀàbB-' : NAME);
    key = [...key].map((c) => (r() < 0.5 ? c.toUpperCase() : c)).join('');
    if ([...key].some((c) => c.charCodeAt(0) > 0xff)) continue;
    const mem = Buffer.alloc(64);
    const ptr = 3;
    mem.write(key, ptr, 'latin1');
    const lower = key.toLowerCase();
    const expected = list.findIndex((x, i) => i % 2 === 0 && x === lower);
    const got = findName(list, mem, ptr, key.length);
    if (got === NOT_ASCII) {
      assert.ok([...key].some((c) => c.charCodeAt(0) >= 0x80), `NOT_ASCII only for non-ASCII keys: ${key}`);
    } else {
      assert.equal(got, expected, `key ${JSON.stringify(key)} in ${JSON.stringify(list)}`);
    }
  }
});
