// Assembles the import object of a VM: env (proxy-wasm and toolchain helpers) and WASI.
import { proxyImports } from './imports-proxy.js';
import { wasiImports } from './imports-wasi.js';
import type { WasmVm } from './vm.js';

export class GuestAbort extends Error {}

export function buildImports(vm: WasmVm, memory: WebAssembly.Memory | undefined): WebAssembly.Imports {
  const env: Record<string, unknown> = {
    ...proxyImports(vm),
    abort: (msgPtr: number, filePtr: number, line: number, column: number) => {
      throw new GuestAbort(`abort: ${asString(vm, msgPtr) ?? 'no message'} (${asString(vm, filePtr) ?? '?'}:${line}:${column})`);
    },
    trace: (msgPtr: number, n: number, ...args: number[]) => {
      vm.log.trace({ plugin: vm.options.pluginName }, `trace: ${asString(vm, msgPtr) ?? ''} ${args.slice(0, n).join(', ')}`);
    },
    seed: () => Math.random() * Number.MAX_SAFE_INTEGER,
    emscripten_notify_memory_growth: () => {},
    pthread_equal: (a: number, b: number) => (a === b ? 1 : 0),
  };
  if (memory) env.memory = memory;
  const wasi = wasiImports(vm);
  return { env: env as WebAssembly.ModuleImports, wasi_snapshot_preview1: wasi, wasi_unstable: wasi };
}

/** An AssemblyScript string (UTF-16, length in bytes at ptr-4), for abort messages. */
function asString(vm: WasmVm, ptr: number): string | undefined {
  if (ptr === 0) return undefined;
  const len = vm.getU32(ptr - 4);
  if (len === undefined || len > 4096) return undefined;
  const bytes = vm.slice(ptr, len);
  return bytes ? Buffer.from(bytes).toString('utf16le') : undefined;
}
