// The time source of the Wasm host: wall and monotonic clocks and the tick timer (tests pass a fake one).

/**
 * What the host reads for proxy_get_current_time_nanoseconds, WASI clock_time_get, the
 * `request.duration` property and root-context tick timers. Given to the host in HostServices;
 * the system clock when absent. The SDK test harness passes a clock it advances by hand.
 */
export interface HostClock {
  /** Wall-clock time in nanoseconds since the Unix epoch. */
  wallNs(): bigint;
  /** Monotonic time in nanoseconds, on the scale of `performance.now()` (StreamInfo.startMonotonic). */
  monotonicNs(): bigint;
  /**
   * Calls `fn` every `periodMs` milliseconds until the returned function is called. MUST NOT keep
   * the process alive and MUST NOT call `fn` synchronously.
   */
  every(periodMs: number, fn: () => void): () => void;
}

/** The process's clocks and `setInterval` (unref'ed). */
export const SYSTEM_CLOCK: HostClock = {
  wallNs: () => BigInt(Date.now()) * 1_000_000n,
  monotonicNs: () => BigInt(Math.round(performance.now() * 1e6)),
  every(periodMs, fn) {
    const t = setInterval(fn, periodMs);
    t.unref();
    return () => clearInterval(t);
  },
};
