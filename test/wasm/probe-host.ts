// Runs the probe module as a plugin and gives tests raw access to hostcalls and guest memory.
import { Registry } from 'prom-client';
import { compileModule } from '../../proxy/wasm/module-loader.js';
import { InProcessSharedData, type SharedDataStore } from '../../proxy/wasm/shared-data.js';
import { WasmMetrics } from '../../proxy/wasm/metrics.js';
import { WasmPlugin, SharedVm } from '../../proxy/wasm/plugin.js';
import { WasmVm } from '../../proxy/wasm/vm.js';
import type { HostServices, NodeInfo } from '../../proxy/wasm/host-services.js';
import type { PluginSpec } from '../../proxy/wasm/plugin-spec.js';
import type { ClusterManager } from '../../proxy/upstream/types.js';
import type { Context } from '../../proxy/wasm/context.js';
import { captureLogging } from './helpers.js';
import { probeModule, SCRATCH } from './probe.js';

export type Hook = (code: number, args: number[]) => void;

export function spec(over: Partial<PluginSpec> = {}): PluginSpec {
  return {
    name: 'probe',
    rootId: '',
    vmId: 'vm1',
    configuration: Buffer.from('{"plugin":true}'),
    vmConfiguration: Buffer.from('vm-config'),
    env: new Map([['GREETING', 'hello']]),
    failStrategy: 'closed',
    singleton: false,
    memoryBytes: 16 * 65536,
    callbackCpuMs: 0,
    ...over,
  };
}

export interface ProbeHost {
  readonly plugin: WasmPlugin;
  readonly vm: WasmVm;
  readonly host: HostServices;
  readonly metrics: WasmMetrics;
  readonly lines: () => Record<string, unknown>[];
  /** Set the function called on every probe callback. */
  hook: Hook;
  /** Calls hostcall `name` (without the proxy_ prefix is fine) with `ctx` effective (or inside the running callback). */
  call(name: string, ...args: (number | bigint)[]): number;
  /** Writes bytes (or a string) at a fresh scratch address; returns [ptr, len]. */
  put(data: string | Uint8Array): [number, number];
  u32(ptr: number): number;
  u64(ptr: number): bigint;
  bytes(ptr: number, len: number): Buffer;
  /** Reads the (ptr, size) pair a hostcall wrote at retPtr/retPtr+4 and returns the bytes. */
  out(retPtr: number): Buffer;
  /** A scratch address for return values (8 bytes each, zeroed). */
  ret(): number;
  ctx: Context | undefined;
}

export async function probeHost(
  opts: { spec?: Partial<PluginSpec>; abi?: string; clusters?: ClusterManager; sharedData?: SharedDataStore; node?: NodeInfo; bytes?: Uint8Array; logLevel?: 'trace' | 'debug' | 'info' } = {},
): Promise<ProbeHost> {
  const bytes = opts.bytes ?? (await probeModule(opts.abi));
  const s = spec(opts.spec);
  const module = await compileModule(bytes, { memoryBytes: s.memoryBytes, metered: s.callbackCpuMs > 0, fuelPerMs: 1 });
  const { logging, lines } = captureLogging(opts.logLevel ?? 'trace');
  const metrics = new WasmMetrics(new Registry());
  let hook: Hook = () => {};
  const host: HostServices = {
    logging,
    metrics,
    clusters: () => opts.clusters,
    sharedData: opts.sharedData ?? new InProcessSharedData(),
    node: () => opts.node,
    foreignFunctions: new Map([
      [
        'hook',
        (args: Uint8Array) => {
          const b = Buffer.from(args);
          hook(b.readUInt32LE(0), [b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12), b.readUInt32LE(16)]);
          return undefined;
        },
      ],
    ]),
  };
  let vmRef: WasmVm | undefined;
  const plugin = new WasmPlugin(s, module, {
    host,
    backoff: { initialMs: 20, maxMs: 200 },
    acquireVm: () => {
      const vm = new WasmVm(module, host, { vmId: s.vmId, pluginName: s.name, env: s.env, vmConfiguration: s.vmConfiguration, fuelPerCallback: s.callbackCpuMs > 0 ? BigInt(s.callbackCpuMs) * 1_000_000n : 0n, maxMemoryPages: module.maxMemoryPages });
      vm.start();
      vmRef = vm;
      const sv = new SharedVm('k', vm);
      sv.refs = 1;
      return sv;
    },
    releaseVm: () => {},
  });
  let scratch = SCRATCH;
  const alloc = (n: number) => {
    const p = scratch;
    scratch += (n + 7) & ~7;
    if (scratch > 0xff00) scratch = SCRATCH;
    return p;
  };
  const self: ProbeHost = {
    plugin,
    get vm() {
      return vmRef!;
    },
    host,
    metrics,
    lines,
    get hook() {
      return hook;
    },
    set hook(h: Hook) {
      hook = h;
    },
    ctx: undefined,
    call(name: string, ...args: (number | bigint)[]): number {
      const vm = vmRef!;
      const fn = (vm.exports as unknown as Record<string, (...a: unknown[]) => number>)[`t_${name.startsWith('proxy_') ? name : `proxy_${name}`}`];
      if (!fn) throw new Error(`no hostcall ${name}`);
      if (vm.busy) return fn(...args);
      const target = self.ctx ?? plugin.root;
      return vm.callArgs(target, fn, args);
    },
    put(data: string | Uint8Array): [number, number] {
      const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      const p = alloc(b.length);
      vmRef!.bytes().set(b, p);
      return [p, b.length];
    },
    u32: (ptr) => vmRef!.getU32(ptr)!,
    u64: (ptr) => Buffer.from(vmRef!.bytes().subarray(ptr, ptr + 8)).readBigUInt64LE(0),
    bytes: (ptr, len) => Buffer.from(vmRef!.bytes().subarray(ptr, ptr + len)),
    out(retPtr: number): Buffer {
      const p = self.u32(retPtr);
      const n = self.u32(retPtr + 4);
      return self.bytes(p, n);
    },
    ret(): number {
      const p = alloc(16);
      vmRef!.bytes().fill(0, p, p + 16);
      return p;
    },
  };
  plugin.start();
  return self;
}
