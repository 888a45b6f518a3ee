// DeadlineSweeper: one coarse timer per listener checks every connection's deadline (no timer per request).
import { performance } from 'node:perf_hooks';

/** Something with a deadline on the `performance.now()` clock; 0 means none. */
export interface Expirable {
  deadline: number;
  /** The sweeper's bookkeeping: the item's slot while registered (start at -1). */
  sweepIndex: number;
  /** Called once when `now` passed `deadline` (the sweeper resets `deadline` to 0 before calling). */
  onDeadline(now: number): void;
}

/**
 * Checks registered items every `tickMs`. Setting a deadline is a field write against `now()`, a
 * clock each sweep refreshes, padded by a tick (`deadlineIn`): a deadline fires between its
 * time and two ticks later (measured from the last sweep; a stalled event loop shifts both). Per
 * request, that is no timer, no clock read and no allocation: items sit in an array and know
 * their slot. The interval is unref'd and stops one tick after the last item left.
 */
export class DeadlineSweeper {
  private items: Expirable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private coarse = performance.now();

  constructor(readonly tickMs: number) {}

  /** A tick suited to the shortest timeout in use: a quarter of it, within 25 ms … 1 s. */
  static tickFor(...timeoutsMs: number[]): number {
    const positive = timeoutsMs.filter((t) => t > 0);
    if (positive.length === 0) return 1000;
    return Math.max(25, Math.min(1000, Math.floor(Math.min(...positive) / 4)));
  }

  /** The clock deadlines are set from: real time as of the last sweep (see deadlineIn). */
  now(): number {
    return this.coarse;
  }

  /** A deadline `ms` from now, padded by one tick so that it does not fire early. Call after add(). */
  deadlineIn(ms: number): number {
    return this.coarse + ms + this.tickMs;
  }

  /** Registers `item` (no-op if it already is). Register before computing its deadline. */
  add(item: Expirable): void {
    if (item.sweepIndex >= 0) return;
    item.sweepIndex = this.items.length;
    this.items.push(item);
    if (this.timer === undefined) {
      this.coarse = performance.now();
      this.timer = setInterval(() => this.sweep(), this.tickMs);
      this.timer.unref();
    }
  }

  delete(item: Expirable): void {
    const i = item.sweepIndex;
    if (i < 0 || this.items[i] !== item) return;
    const last = this.items.pop()!;
    if (last !== item) {
      this.items[i] = last;
      last.sweepIndex = i;
    }
    item.sweepIndex = -1;
  }

  get size(): number {
    return this.items.length;
  }

  close(): void {
    for (const item of this.items) item.sweepIndex = -1;
    this.items = [];
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    const now = performance.now();
    this.coarse = now;
    const items = this.items;
    if (items.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    // Backwards: an item that leaves in its handler swaps the last one into its slot, already visited.
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i];
      if (item === undefined || item.deadline === 0 || item.deadline > now) continue;
      item.deadline = 0;
      try {
        item.onDeadline(now);
      } catch {
        // An item's handler failing must not stop the sweep; items log their own errors.
      }
    }
  }
}
