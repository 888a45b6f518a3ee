// Runtime glue: AssemblyScript's abort/trace/seed/console routed to proxy-wasm host calls (so a filter
// imports nothing a proxy-wasm host lacks), and garbage collection for the `minimal` runtime.
// The asconfig.json of the SDK wires these with `--use abort=__weft_abort` and friends.
import { LogLevel } from "./abi/enums";
import { proxy_log, wasi_random_get } from "./abi/host";
import { RET_U64 } from "./abi/memory";

/** Sends `message` to the host log without going through the argument arena (safe in abort). */
function rawLog(level: LogLevel, message: string): void {
  const buf = String.UTF8.encode(message);
  proxy_log(level, changetype<usize>(buf), <usize>buf.byteLength);
}

// @ts-ignore: decorator
@global function __weft_abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "abort: " + (message !== null ? message : "(no message)");
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  rawLog(LogLevel.Critical, text);
  unreachable();
}

// @ts-ignore: decorator
@global function __weft_trace(
  message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0,
): void {
  let text = "trace: " + message;
  if (n > 0) text += " " + a0.toString();
  if (n > 1) text += ", " + a1.toString();
  if (n > 2) text += ", " + a2.toString();
  if (n > 3) text += ", " + a3.toString();
  if (n > 4) text += ", " + a4.toString();
  rawLog(LogLevel.Debug, text);
}

// @ts-ignore: decorator
@global function __weft_seed(): f64 {
  if (wasi_random_get(RET_U64, 8) != 0) return 1.0;
  return <f64>(load<u64>(RET_U64) >>> 11);
}

/** `console.*` in a filter logs through `proxy_log` (log→Info, debug→Debug, warn→Warn, error→Error). */
// @ts-ignore: decorator
@global namespace __weft_console {
  export function assert<T>(condition: T, message: string = ""): void {
    if (!condition) rawLog(LogLevel.Error, "assertion failed: " + message);
  }
  export function log(message: string = ""): void {
    rawLog(LogLevel.Info, message);
  }
  export function debug(message: string = ""): void {
    rawLog(LogLevel.Debug, message);
  }
  export function info(message: string = ""): void {
    rawLog(LogLevel.Info, message);
  }
  export function warn(message: string = ""): void {
    rawLog(LogLevel.Warn, message);
  }
  export function error(message: string = ""): void {
    rawLog(LogLevel.Error, message);
  }
  export function time(label: string = "default"): void {}
  export function timeLog(label: string = "default"): void {}
  export function timeEnd(label: string = "default"): void {}
}

// ---- Garbage collection for the `minimal` runtime (TLSF + a two-colour mark & sweep that only runs
// when asked). Collection is safe only when no managed reference lives on the stack: the SDK asks
// at the end of an outermost host callback, every `gcInterval` callbacks or as soon as the heap
// had to grow. The `incremental` runtime collects by itself; `stub` never frees.

const RUNTIME_MINIMAL = 1; // ASC_RUNTIME value of --runtime minimal
let gcInterval: u32 = 256;
let sinceCollect: u32 = 0;
let pagesAtCollect: i32 = 0;

/**
 * Sets how many host callbacks may run between two collections (minimal runtime only; default
 * 256). Lower keeps memory tighter, higher costs less CPU.
 *
 * @example
 * setGcInterval(64); // in onVmStart, for a filter that allocates large bodies
 */
export function setGcInterval(callbacks: u32): void {
  gcInterval = callbacks > 0 ? callbacks : 1;
}

/** Called by the SDK when the outermost host callback returns. */
export function collectIfDue(): void {
  if (ASC_RUNTIME != RUNTIME_MINIMAL) return;
  const pages = memory.size();
  if (++sinceCollect >= gcInterval || pages != pagesAtCollect) {
    __collect();
    sinceCollect = 0;
    pagesAtCollect = pages;
  }
}
