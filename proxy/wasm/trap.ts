// Turns what a failed call into a module threw into a log-worthy description: message, function, source line.
import type { WasmVm } from './vm.js';
import { GuestAbort } from './imports.js';
import { WasiExit } from './imports-wasi.js';

export interface TrapDescription {
  readonly message: string;
  /** "file:line:column" from the module's source map, when there is one. */
  readonly location?: string;
  /** The function's name from the module's name section, or wasm-function[N]. */
  readonly function?: string;
}

const FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/;

export function describeTrap(err: unknown, vm: WasmVm): TrapDescription {
  let message: string;
  const fuel = vm.fuelLeft();
  if (fuel !== undefined && fuel < 0n) {
    message = `CPU budget exceeded: a callback ran longer than ${vm.module.cpuBudgetLabel(vm.options.fuelPerCallback)}`;
  } else if (err instanceof GuestAbort || err instanceof WasiExit) {
    message = err.message;
  } else if (err instanceof RangeError) {
    message = `stack overflow (${err.message})`;
  } else if (err instanceof WebAssembly.RuntimeError) {
    message = `trap: ${err.message}`;
  } else if (err instanceof Error) {
    message = `host error: ${(err as Error).message}`;
  } else {
    message = `thrown: ${String(err)}`;
  }
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const m = FRAME.exec(stack);
  if (!m) return { message };
  const fnIndex = Number(m[1]);
  const offset = parseInt(m[2]!, 16);
  const name = vm.module.info.functionNames.get(fnIndex) ?? `wasm-function[${fnIndex}]`;
  const pos = vm.module.sourcePosition(fnIndex, offset);
  return pos ? { message, function: name, location: `${pos.source}:${pos.line}:${pos.column}` } : { message, function: name };
}
