// Restart delays for crashed workers: exponential with a cap, reset once a worker has stayed up.

export interface BackoffOptions {
  /** First delay. Default 100 ms. */
  initialMs?: number;
  /** Largest delay. Default 30 s. */
  maxMs?: number;
  /** A worker up at least this long counts as healthy: the next crash starts from `initialMs` again. Default 30 s. */
  stableMs?: number;
}

/** Delay before restart number `failures` (0-based count of crashes in a row). */
export function restartDelay(failures: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 100;
  const max = options.maxMs ?? 30_000;
  return Math.min(max, initial * 2 ** Math.min(failures, 30));
}

/** Crashes in a row after one that happened `uptimeMs` after start. */
export function nextFailureCount(previous: number, uptimeMs: number, options: BackoffOptions = {}): number {
  return uptimeMs >= (options.stableMs ?? 30_000) ? 0 : previous + 1;
}
