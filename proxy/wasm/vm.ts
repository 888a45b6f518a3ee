// WasmVm: one instance of a compiled module — its memory, the calls into it, its contexts and its failure state.
import type { Logger } from '../../lib/log.js';
import type { CompiledModule } from './module-loader.js';
import type { Context, RootContext } from './context.js';
import type { HostServices } from './host-services.js';
import { SYSTEM_CLOCK, type HostClock } from './clock.js';
import { buildImports } from './imports.js';
import { describeTrap } from './trap.js';
import { START_EXPORT } from './meter.js';
import { IdTable } from './id-table.js';

/** The module's callbacks, looked up once. Missing ones are undefined (the host skips them). */
export interface GuestExports {
  readonly memory?: WebAssembly.Memory;
  readonly malloc?: (size: number) => number;
  readonly _initialize?: () => void;
  readonly _start?: () => void;
  readonly main?: (a: number, b: number) => number;
  readonly __main_void?: () => number;
  readonly proxy_on_context_create?: (id: number, parent: number) => void;
  readonly proxy_on_vm_start?: (id: number, size: number) => number;
  readonly proxy_on_configure?: (id: number, size: number) => number;
  readonly proxy_on_done?: (id: number) => number;
  readonly proxy_on_log?: (id: number) => void;
  readonly proxy_on_delete?: (id: number) => void;
  readonly proxy_on_tick?: (id: number) => void;
  readonly proxy_on_queue_ready?: (id: number, token: number) => void;
  readonly proxy_on_foreign_function?: (id: number, fn: number, size: number) => void;
  readonly proxy_on_request_headers?: (id: number, n: number, eos: number) => number;
  readonly proxy_on_request_body?: (id: number, n: number, eos: number) => number;
  readonly proxy_on_request_trailers?: (id: number, n: number) => number;
  readonly proxy_on_response_headers?: (id: number, n: number, eos: number) => number;
  readonly proxy_on_response_body?: (id: number, n: number, eos: number) => number;
  readonly proxy_on_response_trailers?: (id: number, n: number) => number;
  readonly proxy_on_new_connection?: (id: number) => number;
  readonly proxy_on_downstream_data?: (id: number, n: number, eos: number) => number;
  readonly proxy_on_upstream_data?: (id: number, n: number, eos: number) => number;
  readonly proxy_on_downstream_connection_close?: (id: number, peer: number) => void;
  readonly proxy_on_upstream_connection_close?: (id: number, peer: number) => void;
  readonly proxy_on_http_call_response?: (id: number, token: number, headers: number, body: number, trailers: number) => void;
  readonly proxy_on_grpc_receive_initial_metadata?: (id: number, token: number, n: number) => void;
  readonly proxy_on_grpc_receive?: (id: number, token: number, size: number) => void;
  readonly proxy_on_grpc_receive_trailing_metadata?: (id: number, token: number, n: number) => void;
  readonly proxy_on_grpc_close?: (id: number, token: number, status: number) => void;
}

/** Result of `WasmVm.call` when the callback trapped or the VM had already failed. */
export const TRAPPED = -1;

export interface VmOptions {
  /** Identity of the VM in logs and the shared data namespace ("" is a valid vm_id). */
  readonly vmId: string;
  /** Plugin names using this VM (for logs and metrics when no context is current). */
  readonly pluginName: string;
  /** Environment variables the module sees through WASI. */
  readonly env: ReadonlyMap<string, string>;
  readonly vmConfiguration: Uint8Array;
  /** Fuel per callback; 0 disables metering (the module must be metered for it to apply). */
  readonly fuelPerCallback: bigint;
  /** Memory cap in pages, for an imported memory. */
  readonly maxMemoryPages: number;
}

/**
 * One running instance of a module. Calls into it go through `call`, which sets the current
 * context, resets the CPU budget, catches traps (the VM is then failed for good) and runs the
 * actions hostcalls deferred (continue, local replies, callout deliveries) once the VM's stack
 * has unwound, so the VM is never re-entered by the work it asked for.
 */
export class WasmVm {
  readonly vmId: string;
  readonly module: CompiledModule;
  readonly host: HostServices;
  readonly options: VmOptions;
  readonly log: Logger;
  /** The host's clock (the system clock unless HostServices gives one). */
  readonly clock: HostClock;
  readonly contexts = new IdTable<Context>();
  readonly roots = new Map<number, RootContext>();
  exports!: GuestExports;
  memory!: WebAssembly.Memory;
  /** The context of the callback running now, and the one hostcalls act on (proxy_set_effective_context). */
  current: Context | undefined;
  effective: Context | undefined;
  failed = false;
  failure: string | undefined;
  /** Contexts that answered false to on_done and await proxy_done. */
  readonly pendingDone = new Set<number>();
  private nextId = 1;
  private nextToken = 1;
  private depth = 0;
  private readonly after: (() => void)[] = [];
  private u8 = new Uint8Array(0);
  private buf = Buffer.alloc(0);
  private dv = new DataView(new ArrayBuffer(0));
  private fuel: WebAssembly.Global | undefined;
  private readonly failListeners: ((vm: WasmVm, message: string) => void)[] = [];
  private instance: WebAssembly.Instance | undefined;
  /** Every export of the instance (globals and tables too), for tools and tests. */
  rawExports: Readonly<Record<string, unknown>> = {};

  constructor(module: CompiledModule, host: HostServices, options: VmOptions) {
    this.module = module;
    this.host = host;
    this.options = options;
    this.vmId = options.vmId;
    this.clock = host.clock ?? SYSTEM_CLOCK;
    this.log = host.logging.logger('wasm', { plugin: options.pluginName, vm_id: options.vmId });
  }

  /** Instantiates the module and runs its start functions (_initialize + main, or _start). Throws on failure. */
  start(): void {
    let importedMemory: WebAssembly.Memory | undefined;
    const memImport = this.module.info.imports.find((i) => i.kind === 'memory');
    if (memImport?.memory) {
      const min = memImport.memory.min;
      const max = Math.min(memImport.memory.max ?? this.options.maxMemoryPages, this.options.maxMemoryPages);
      importedMemory = new WebAssembly.Memory({ initial: min, maximum: max });
    }
    const imports = buildImports(this, importedMemory);
    try {
      this.instance = new WebAssembly.Instance(this.module.module, imports);
    } catch (e) {
      this.failed = true;
      this.failure = describeTrap(e, this).message;
      throw new Error(`the module failed to instantiate (its start function trapped?): ${this.failure}`, { cause: e });
    }
    const ex = this.instance.exports as Record<string, unknown>;
    this.rawExports = ex;
    const memory = (ex.memory as WebAssembly.Memory | undefined) ?? importedMemory;
    if (!memory) throw new Error('the module neither exports nor imports a memory');
    this.memory = memory;
    this.fuel = ex.__weft_fuel as WebAssembly.Global | undefined;
    const fn = (name: string) => (typeof ex[name] === 'function' ? ex[name] : undefined);
    const e: Record<string, unknown> = {};
    for (const name of Object.keys(ex)) if (typeof ex[name] === 'function') e[name] = ex[name];
    e.malloc = fn('proxy_on_memory_allocate') ?? fn('malloc');
    e.memory = memory;
    this.exports = e as GuestExports;
    this.refresh();
    const hoistedStart = ex[START_EXPORT];
    if (typeof hoistedStart === 'function' && this.call(undefined, hoistedStart as () => void) === TRAPPED) {
      throw new Error(`the module's start function trapped: ${this.failure ?? 'unknown error'}`);
    }
    const init = this.exports._initialize;
    const startFn = init ? undefined : this.exports._start;
    const boot = () => {
      if (init) {
        init();
        if (this.exports.main) this.exports.main(0, 0);
        else if (this.exports.__main_void) this.exports.__main_void();
      } else if (startFn) {
        startFn();
      }
    };
    const r = this.call(undefined, boot);
    if (r === TRAPPED) throw new Error(`the module trapped while starting: ${this.failure ?? 'unknown error'}`);
  }

  /** Registers a context under a new id. */
  register(ctx: Context): number {
    const id = this.nextId++;
    this.contexts.set(id, ctx);
    return id;
  }

  /** A callout or stream token, unique within the VM. */
  allocToken(): number {
    return this.nextToken++;
  }

  unregister(id: number): void {
    this.contexts.delete(id);
    if (this.pendingDone.size > 0) this.pendingDone.delete(id);
  }

  /** Listeners run once when the VM fails (trap, CPU budget, memory). */
  onFail(listener: (vm: WasmVm, message: string) => void): void {
    this.failListeners.push(listener);
  }

  /**
   * Calls `fn(a, b, c, d, e)` (a module export) with `ctx` current. Returns its result (0 for
   * void functions), or TRAPPED when it trapped or the VM is failed.
   */
  call(ctx: Context | undefined, fn: (...args: number[]) => unknown, a = 0, b = 0, c = 0, d = 0, e = 0): number {
    if (this.failed) return TRAPPED;
    const prevCurrent = this.current;
    const prevEffective = this.effective;
    this.current = ctx;
    this.effective = ctx;
    if (this.depth++ === 0 && this.fuel) this.fuel.value = this.options.fuelPerCallback;
    let result: number;
    try {
      // Exact arity: V8 calls an export through its fast wrapper only when the argument count
      // matches the Wasm signature (otherwise a generic one; measured 10-30% of a stream's host cost).
      let r: unknown;
      switch (fn.length) {
        case 0:
          r = fn();
          break;
        case 1:
          r = fn(a);
          break;
        case 2:
          r = fn(a, b);
          break;
        case 3:
          r = fn(a, b, c);
          break;
        case 4:
          r = fn(a, b, c, d);
          break;
        default:
          r = fn(a, b, c, d, e);
      }
      result = typeof r === 'number' ? r : 0;
    } catch (err) {
      this.fail(err);
      result = TRAPPED;
    } finally {
      this.current = prevCurrent;
      this.effective = prevEffective;
      if (--this.depth === 0 && this.after.length > 0) this.runAfter();
    }
    return result;
  }

  /** `call` with any number of arguments (tests and rarely used entry points). */
  callArgs(ctx: Context | undefined, fn: (...args: never[]) => unknown, args: readonly unknown[]): number {
    return this.call(ctx, () => (fn as (...a: unknown[]) => unknown)(...args));
  }

  /** True while a callback of this VM is on the stack. */
  get busy(): boolean {
    return this.depth > 0;
  }

  /** Runs `action` once the VM's stack has unwound (now if it is idle). */
  defer(action: () => void): void {
    if (this.depth === 0) action();
    else this.after.push(action);
  }

  private runAfter(): void {
    while (this.after.length > 0) {
      const action = this.after.shift()!;
      try {
        action();
      } catch (err) {
        this.log.error({ err }, 'a deferred Wasm host action failed');
      }
    }
  }

  /** Marks the VM failed (it never runs again) and tells the listeners. */
  fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const trap = describeTrap(err, this);
    this.failure = trap.message;
    const plugin = this.current?.root.plugin.name ?? this.options.pluginName;
    this.log.error({ plugin, trap: trap.message, ...(trap.location ? { location: trap.location } : {}), ...(trap.function ? { function: trap.function } : {}) }, `Wasm VM failed: ${trap.message}${trap.location ? ` at ${trap.location}` : ''}`);
    this.host.metrics.trap(plugin);
    for (const root of this.roots.values()) root.stopTimer();
    for (const l of this.failListeners) {
      try {
        l(this, trap.message);
      } catch (e) {
        this.log.error({ err: e }, 'a VM failure listener threw');
      }
    }
  }

  /** The fuel left in the running callback (for telling a CPU budget trap from others). */
  fuelLeft(): bigint | undefined {
    return this.fuel ? (this.fuel.value as bigint) : undefined;
  }

  // ---- memory ----

  private refresh(): void {
    const ab = this.memory.buffer as ArrayBuffer;
    this.u8 = new Uint8Array(ab);
    this.buf = Buffer.from(ab);
    this.dv = new DataView(ab);
  }

  /** The linear memory as bytes (re-created after memory.grow detached the old buffer). */
  bytes(): Uint8Array {
    if (this.u8.buffer !== this.memory.buffer || this.u8.byteLength === 0) this.refresh();
    return this.u8;
  }

  /** A Buffer over the whole linear memory (for latin1 reads and writes). */
  buffer(): Buffer {
    if (this.buf.buffer !== this.memory.buffer || this.buf.byteLength === 0) this.refresh();
    return this.buf;
  }

  /** Views are re-made when memory.grow replaced the buffer (a DataView on a detached buffer throws on any access but `.buffer`). */
  private view(): DataView {
    // Buffer identity first: a DataView over a buffer that memory.grow detached throws on byteLength.
    if (this.dv.buffer !== this.memory.buffer || this.dv.byteLength === 0) this.refresh();
    return this.dv;
  }

  /** True when [ptr, ptr+size) lies inside memory. */
  inBounds(ptr: number, size: number): boolean {
    return ptr >= 0 && size >= 0 && ptr + size <= this.bytes().length;
  }

  /** A view (no copy) of guest memory, or undefined when out of bounds. */
  slice(ptr: number, size: number): Uint8Array | undefined {
    ptr >>>= 0;
    size >>>= 0;
    const m = this.bytes();
    if (ptr + size > m.length) return undefined;
    return m.subarray(ptr, ptr + size);
  }

  /** A copy of guest memory, or undefined when out of bounds. */
  copy(ptr: number, size: number): Buffer | undefined {
    const s = this.slice(ptr, size);
    return s ? Buffer.from(s) : undefined;
  }

  /** Bytes at ptr decoded as latin1 (one char per byte: header names and values), or undefined. */
  latin1(ptr: number, size: number): string | undefined {
    ptr >>>= 0;
    size >>>= 0;
    const b = this.buffer();
    if (ptr + size > b.length) return undefined;
    return b.toString('latin1', ptr, ptr + size);
  }

  /** Bytes at ptr decoded as UTF-8, or undefined. */
  utf8(ptr: number, size: number): string | undefined {
    ptr >>>= 0;
    size >>>= 0;
    const b = this.buffer();
    if (ptr + size > b.length) return undefined;
    return b.toString('utf8', ptr, ptr + size);
  }

  setU32(ptr: number, value: number): boolean {
    ptr >>>= 0;
    const v = this.view();
    if (ptr + 4 > v.byteLength) return false;
    v.setUint32(ptr, value >>> 0, true);
    return true;
  }

  setU64(ptr: number, value: bigint): boolean {
    ptr >>>= 0;
    const v = this.view();
    if (ptr + 8 > v.byteLength) return false;
    v.setBigUint64(ptr, BigInt.asUintN(64, value), true);
    return true;
  }

  getU32(ptr: number): number | undefined {
    ptr >>>= 0;
    const v = this.view();
    if (ptr + 4 > v.byteLength) return undefined;
    return v.getUint32(ptr, true);
  }

  /** Allocates `size` bytes in guest memory through the module's allocator; 0 on failure. */
  alloc(size: number): number {
    const malloc = this.exports.malloc;
    if (!malloc) return 0;
    if (this.depth === 0) {
      const r = this.call(this.current, malloc as (...a: number[]) => unknown, size);
      return r === TRAPPED ? 0 : r >>> 0;
    }
    return malloc(size) >>> 0;
  }

  /**
   * Copies `data` into newly allocated guest memory and writes its address and size at
   * ptrPtr/sizePtr (address 0 for empty data, as Envoy does). False on a bad pointer or a failed allocation.
   */
  copyOut(data: Uint8Array, ptrPtr: number, sizePtr: number): boolean {
    let p = 0;
    if (data.length > 0) {
      p = this.alloc(data.length);
      if (p === 0) return false;
      const m = this.bytes();
      if (p + data.length > m.length) return false;
      m.set(data, p);
    }
    return this.setU32(ptrPtr, p) && this.setU32(sizePtr, data.length);
  }

  /** `copyOut` for a latin1 string (header values): no intermediate Buffer. */
  copyOutLatin1(s: string, ptrPtr: number, sizePtr: number): boolean {
    let p = 0;
    const n = s.length;
    if (n > 0) {
      p = this.alloc(n);
      if (p === 0) return false;
      const b = this.buffer();
      if (p + n > b.length) return false;
      // Short strings: a loop beats the native call's fixed cost (~100 ns).
      if (n <= 32) for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
      else b.write(s, p, n, 'latin1');
    }
    return this.setU32(ptrPtr, p) && this.setU32(sizePtr, s.length);
  }
}
