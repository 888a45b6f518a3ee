// FAKE clock for filter tests: time stands still until the test advances it; tick timers and callout timeouts fire on the way.
import type { HostClock } from '../../proxy/wasm/index.js';

interface Timer {
  readonly id: number;
  due: number;
  readonly periodMs: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock the test moves by hand, given to the real host in place of the system clock (the one
 * thing outside the VM besides the upstream clusters the harness replaces). Reading it never
 * changes it; `advance(ms)` walks forward, firing every timer that falls due in time order with
 * the clock set to the timer's due time.
 *
 * @example
 * const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
 * const h = await FilterHarness.load(wasm, { clock });
 * h.advance(1000);            // on_tick fires for a 1 s tick period
 */
export class FakeClock implements HostClock {
  private wallMs: number;
  private monoMs = 0;
  /** Where the monotonic clock starts (a real one is never 0, and SDKs read 0 as an error). */
  private static readonly MONOTONIC_ORIGIN_MS = 1_000_000;
  private readonly timers: Timer[] = [];
  private nextId = 1;
  private advancing = false;

  /** `startMs`: the wall-clock time to start at, in ms since the epoch (default: now). */
  constructor(startMs: number = Date.now()) {
    this.wallMs = startMs;
  }

  /** Wall-clock time in ms since the epoch. */
  now(): number {
    return this.wallMs;
  }

  /** Milliseconds advanced since the clock was made. */
  elapsed(): number {
    return this.monoMs;
  }

  /** The monotonic clock in ms (the scale of `performance.now()`, as StreamInfo.startMonotonic). */
  monotonicMs(): number {
    return FakeClock.MONOTONIC_ORIGIN_MS + this.monoMs;
  }

  wallNs(): bigint {
    return BigInt(Math.round(this.wallMs * 1000)) * 1000n;
  }

  monotonicNs(): bigint {
    return BigInt(Math.round(this.monotonicMs() * 1000)) * 1000n;
  }

  every(periodMs: number, fn: () => void): () => void {
    const p = Math.max(1, periodMs);
    return this.schedule(p, p, fn);
  }

  /** Calls `fn` once, `delayMs` from now (as the clock counts). Returns a cancel function. */
  after(delayMs: number, fn: () => void): () => void {
    return this.schedule(delayMs, 0, fn);
  }

  private schedule(delayMs: number, periodMs: number, fn: () => void): () => void {
    const t: Timer = { id: this.nextId++, due: this.monoMs + Math.max(0, delayMs), periodMs: Math.max(0, periodMs), fn, cancelled: false };
    this.timers.push(t);
    return () => {
      t.cancelled = true;
      const i = this.timers.indexOf(t);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** Timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order (ties in the order they were set). A
   * periodic timer fires once per period that passes. Timers set by a firing timer fire too if
   * they fall due within the advance.
   */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('FakeClock.advance: time only moves forward');
    if (this.advancing) throw new Error('FakeClock.advance called from a timer');
    this.advancing = true;
    const end = this.monoMs + ms;
    try {
      for (;;) {
        const next = this.nextDue(end);
        if (!next) break;
        this.moveTo(next.due);
        if (next.periodMs > 0) next.due += next.periodMs;
        else this.timers.splice(this.timers.indexOf(next), 1);
        next.fn();
      }
      this.moveTo(end);
    } finally {
      this.advancing = false;
    }
  }

  /** Sets the wall clock (e.g. to test token expiry) without moving the monotonic clock or firing timers. */
  setWallTime(ms: number): void {
    this.wallMs = ms;
  }

  private moveTo(mono: number): void {
    this.wallMs += mono - this.monoMs;
    this.monoMs = mono;
  }

  private nextDue(end: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.cancelled || t.due > end) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    }
    return best;
  }
}
