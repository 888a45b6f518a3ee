// FakeClock: time moves only on advance; timers fire in due order with the clock at their due time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './fake-clock.js';

describe('FakeClock', () => {
  it('stands still until advanced; wall and monotonic move together', () => {
    const c = new FakeClock(1_700_000_000_000);
    assert.equal(c.wallNs(), 1_700_000_000_000_000_000n);
    const m0 = c.monotonicNs();
    assert.ok(m0 > 0n, 'a monotonic clock is never 0');
    assert.equal(c.wallNs(), 1_700_000_000_000_000_000n);
    c.advance(1.5);
    assert.equal(c.wallNs(), 1_700_000_000_001_500_000n);
    assert.equal(c.monotonicNs() - m0, 1_500_000n);
    assert.equal(c.elapsed(), 1.5);
    c.setWallTime(0);
    assert.equal(c.wallNs(), 0n);
    assert.equal(c.monotonicNs() - m0, 1_500_000n, 'setting the wall clock leaves the monotonic one');
    assert.throws(() => c.advance(-1), RangeError);
  });

  it('fires periodic and one-shot timers in due order, at their due time, and not after cancel', () => {
    const c = new FakeClock(0);
    const fired: string[] = [];
    const stopA = c.every(100, () => fired.push(`a@${c.elapsed()}`));
    c.after(150, () => fired.push(`b@${c.elapsed()}`));
    const stopC = c.after(150, () => fired.push(`c@${c.elapsed()}`));
    stopC();
    c.every(0, () => fired.push(`z@${c.elapsed()}`)); // a zero period is one millisecond, not a busy loop
    c.advance(99);
    assert.equal(fired.filter((f) => f.startsWith('a')).length, 0);
    c.advance(201);
    assert.deepEqual(fired.filter((f) => !f.startsWith('z')), ['a@100', 'b@150', 'a@200', 'a@300']);
    assert.equal(fired.filter((f) => f.startsWith('z')).length, 300);
    stopA();
    c.advance(1000);
    assert.equal(fired.filter((f) => f.startsWith('a')).length, 3);
  });

  it('fires a timer set by a timer when it falls within the same advance', () => {
    const c = new FakeClock(0);
    const fired: number[] = [];
    c.after(10, () => {
      fired.push(c.elapsed());
      c.after(5, () => fired.push(c.elapsed()));
    });
    c.advance(20);
    assert.deepEqual(fired, [10, 15]);
    assert.equal(c.pendingTimers, 0);
    assert.throws(() => {
      c.after(1, () => c.advance(1));
      c.advance(1);
    }, /called from a timer/);
  });
});
