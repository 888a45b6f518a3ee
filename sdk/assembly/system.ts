// Clocks, randomness, environment variables and foreign functions, through the host.
import { Status, WasiClock } from "./abi/enums";
import { RET_U64 } from "./abi/memory";
import { callForeignFunction as hostCall, clockTime, environment, randomFill } from "./hostcalls/system";

/**
 * Wall-clock time in nanoseconds since the Unix epoch (hosts may freeze it per callback); 0 on error.
 *
 * @example
 * const nowSeconds = nowNanos() / 1_000_000_000;
 */
export function nowNanos(): u64 {
  return clockTime(WasiClock.Realtime);
}

/** A monotonic clock in nanoseconds, for measuring durations; 0 on error. */
export function monotonicNanos(): u64 {
  return clockTime(WasiClock.Monotonic);
}

/**
 * `size` random bytes from the host, or null on error.
 *
 * @example
 * const id = randomBytes(16);
 */
export function randomBytes(size: i32): ArrayBuffer | null {
  const out = new ArrayBuffer(size);
  return randomFill(changetype<usize>(out), <usize>size) == Status.Ok ? out : null;
}

/** A random u64 from the host (0 on error; check `lastStatus()` if that matters). */
export function randomU64(): u64 {
  store<u64>(RET_U64, 0);
  randomFill(RET_U64, 8);
  return load<u64>(RET_U64);
}

/**
 * A random float in [0, 1), e.g. for sampling.
 *
 * @example
 * if (randomF64() < 0.1) this.sendResponse(503, "injected fault");
 */
export function randomF64(): f64 {
  return <f64>(randomU64() >>> 11) * (1.0 / 9007199254740992.0);
}

/**
 * The value of environment variable `name` as the host exposes it to the plugin, or null.
 *
 * @example
 * const region = getEnv("REGION");
 */
export function getEnv(name: string): string | null {
  const vars = environment();
  for (let i = 0; i < vars.length; i++) {
    const kv = unchecked(vars[i]);
    if (kv.length > name.length && kv.charCodeAt(name.length) == 0x3d && kv.startsWith(name)) {
      return kv.substring(name.length + 1);
    }
  }
  return null;
}

/** Every environment variable the host exposes, as `NAME=value`. */
export function getEnvAll(): Array<string> {
  return environment();
}

/**
 * Calls a foreign function the host registered (host-specific); its result bytes, or null.
 *
 * @example
 * const compressed = callForeignFunction("compress", body);
 */
export function callForeignFunction(name: string, args: ArrayBuffer): ArrayBuffer | null {
  return hostCall(name, args);
}
