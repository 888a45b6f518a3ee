// FakeRandom: scripted draws decode to exactly what the SDK's randomU64/randomF64 return; the rest is seeded.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRandom } from './fake-random.js';

/** What the SDK's randomF64 computes from the 8 bytes it draws. */
function sdkF64(bytes: Uint8Array): number {
  const u = Buffer.from(bytes).readBigUInt64LE(0);
  return Number(u >> 11n) * (1 / 9007199254740992);
}

describe('FakeRandom', () => {
  it('serves queued draws first, as the SDK decodes them', () => {
    const r = new FakeRandom();
    r.queueF64(0, 0.25, 0.999999).queueU64(42n).queueBytes([1, 2]);
    const out = new Uint8Array(8);
    for (const want of [0, 0.25, 0.999999]) {
      r.fill(out);
      assert.ok(Math.abs(sdkF64(out) - want) < 2 ** -52, `${sdkF64(out)} vs ${want}`);
    }
    r.fill(out);
    assert.equal(Buffer.from(out).readBigUInt64LE(0), 42n);
    const two = new Uint8Array(3);
    r.fill(two);
    assert.deepEqual([two[0], two[1]], [1, 2]);
    assert.equal(r.queued, 0);
    assert.equal(r.drawnBytes, 8 * 4 + 3);
    assert.throws(() => r.queueF64(1), RangeError);
  });

  it('is repeatable for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const b = new Uint8Array(32);
      new FakeRandom(seed).fill(b);
      return Buffer.from(b).toString('hex');
    };
    assert.equal(draw(7), draw(7));
    assert.notEqual(draw(7), draw(8));
    assert.notEqual(draw(7), '00'.repeat(32));
  });
});
