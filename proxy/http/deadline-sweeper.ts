// DeadlineSweeper: one coarse timer per listener checks every connection's deadline (no timer per request).
import { performance } from 'node:perf_hooks';

/** Something with a deadline on the `performance.now()` clock; 0 means none. */
export interface Expirable {
  deadline: number;
  /** Called once when `now` passed `deadline` (the sweeper resets `deadline` to 0 before calling). */
  onDeadline(now: number): void;
}

/**
 * Checks registered items every `tickMs` (so a deadline fires up to one tick late). Setting a
 * deadline is a field write, so codecs can move it per request at no cost. The timer is unref'd
 * and runs only while items are registered.
 */
export class DeadlineSweeper {
  private readonly items = new Set<Expirable>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly tickMs: number) {}

  /** A tick suited to the shortest timeout in use: a quarter of it, within 25 ms … 1 s. */
  static tickFor(...timeoutsMs: number[]): number {
    const positive = timeoutsMs.filter((t) => t > 0);
    if (positive.length === 0) return 1000;
    return Math.max(25, Math.min(1000, Math.floor(Math.min(...positive) / 4)));
  }

  now(): number {
    return performance.now();
  }

  add(item: Expirable): void {
    this.items.add(item);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.tickMs);
      this.timer.unref();
    }
  }

  delete(item: Expirable): void {
    this.items.delete(item);
    if (this.items.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  get size(): number {
    return this.items.size;
  }

  close(): void {
    this.items.clear();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    const now = performance.now();
    for (const item of this.items) {
      if (item.deadline !== 0 && item.deadline <= now) {
        item.deadline = 0;
        try {
          item.onDeadline(now);
        } catch {
          // An item's handler failing must not stop the sweep; items log their own errors.
        }
      }
    }
  }
}
