// Layer 1, the rest: logging, log level, timers, clocks, randomness, environment, foreign functions.
import { LogLevel, Status, WasiClock, WasiErrno } from "../abi/enums";
import {
  proxy_call_foreign_function, proxy_get_log_level, proxy_log, proxy_set_tick_period_milliseconds,
  wasi_clock_time_get, wasi_environ_get, wasi_environ_sizes_get, wasi_random_get,
} from "../abi/host";
import {
  argLen, argMark, argRelease, argString, clearReturned, releaseReturned, RET_PTR, RET_SIZE, RET_U32, RET_U64,
  takeBytes,
} from "../abi/memory";
import { record } from "../abi/status";

/** `proxy_log`. */
export function log(level: LogLevel, message: string): Status {
  const mark = argMark();
  const m = argString(message);
  const s = record(proxy_log(level, m, argLen));
  argRelease(mark);
  return s;
}

/** `proxy_get_log_level`; `Trace` when the host cannot say (log everything rather than nothing). */
export function getLogLevel(): LogLevel {
  store<u32>(RET_U32, 0);
  const s = record(proxy_get_log_level(RET_U32));
  return s == Status.Ok ? <LogLevel>load<u32>(RET_U32) : LogLevel.Trace;
}

/** `proxy_set_tick_period_milliseconds` for the effective (root) context; 0 stops the timer. */
export function setTickPeriod(milliseconds: u32): Status {
  return record(proxy_set_tick_period_milliseconds(milliseconds));
}

/** Maps a WASI errno to the closest proxy-wasm status and records it. */
function recordErrno(errno: u32): Status {
  if (errno == WasiErrno.Success) return record(Status.Ok);
  if (errno == WasiErrno.Fault) return record(Status.InvalidMemoryAccess);
  if (errno == WasiErrno.Notsup) return record(Status.Unimplemented);
  if (errno == WasiErrno.Inval || errno == WasiErrno.Badf) return record(Status.BadArgument);
  return record(Status.InternalFailure);
}

/** `clock_time_get` in nanoseconds; 0 on error. */
export function clockTime(clock: WasiClock): u64 {
  store<u64>(RET_U64, 0);
  const s = recordErrno(wasi_clock_time_get(clock, 1, RET_U64));
  return s == Status.Ok ? load<u64>(RET_U64) : 0;
}

/** `random_get`: fills `size` bytes at `ptr` with randomness. */
export function randomFill(ptr: usize, size: usize): Status {
  return recordErrno(wasi_random_get(ptr, size));
}

/** The plugin's environment as `NAME=value` strings (what the host exposes, usually an allowlist). */
export function environment(): Array<string> {
  store<u32>(RET_U32, 0);
  store<usize>(RET_SIZE, 0);
  let s = recordErrno(wasi_environ_sizes_get(RET_U32, RET_SIZE));
  const out = new Array<string>(0);
  if (s != Status.Ok) return out;
  const count = <usize>load<u32>(RET_U32);
  const size = load<usize>(RET_SIZE);
  if (count == 0) return out;
  const table = heap.alloc(count * sizeof<usize>());
  const data = heap.alloc(size > 0 ? size : 1);
  s = recordErrno(wasi_environ_get(table, data));
  if (s == Status.Ok) {
    const end = data + size;
    for (let i: usize = 0; i < count; i++) {
      const start = load<usize>(table + i * sizeof<usize>());
      if (start < data || start >= end) break;
      let at = start;
      while (at < end && load<u8>(at) != 0) at++;
      out.push(String.UTF8.decodeUnsafe(start, at - start));
    }
  }
  heap.free(table);
  heap.free(data);
  return out;
}

/** `proxy_call_foreign_function`: the host function's result bytes, or null. */
export function callForeignFunction(name: string, args: ArrayBuffer): ArrayBuffer | null {
  const mark = argMark();
  const n = argString(name);
  clearReturned();
  const s = record(proxy_call_foreign_function(
    n, argLen, changetype<usize>(args), <usize>args.byteLength, RET_PTR, RET_SIZE,
  ));
  argRelease(mark);
  if (s != Status.Ok) {
    releaseReturned();
    return null;
  }
  return takeBytes();
}
