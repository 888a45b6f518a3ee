// PluginManager: the FilterChainBuilder for Wasm plugins — compile once, one VM per plugin (or vm_id), hot swap.
import { createHash } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Snapshot } from '../../api/snapshot/index.js';
import { WeftError } from '../../lib/errors.js';
import type { Logging } from '../../lib/log.js';
import type { FilterChainBuilder, PreparedFilterChains } from '../config/filter-chains.js';
import type { HttpFilterFactory } from '../http/filter.js';
import type { NetworkFilterFactory } from '../tcp/network-filter.js';
import type { ClusterManager } from '../upstream/types.js';
import { fuelPerMs } from './fuel.js';
import type { ForeignFunction, HostServices, NodeInfo } from './host-services.js';
import { WasmMetrics } from './metrics.js';
import { compileModule, loadModuleBytes, sha256Hex, type CompiledModule, type ModuleResolverOptions } from './module-loader.js';
import { SharedVm, WasmPlugin, type ReloadBackoff } from './plugin.js';
import { pluginSpecFromConfig, type PluginSpec } from './plugin-spec.js';
import { InProcessSharedData, type SharedDataStore } from './shared-data.js';
import { WasmVm } from './vm.js';

export interface PluginManagerOptions {
  readonly logging: Logging;
  /** The data plane's metrics registry (host and plugin metrics are registered on it). */
  readonly registry?: Registry;
  /** Clusters callouts may target: the current Snapshot's ClusterManager (a function is read at each call). */
  readonly clusters?: ClusterManager | (() => ClusterManager | undefined);
  /** Shared data and queues; default: an in-process store owned by this manager. Pass one store to every manager of a process, or the cross-worker client. */
  readonly sharedData?: SharedDataStore;
  /** Where modules given only by sha256 are found. */
  readonly modules?: ModuleResolverOptions;
  /** Host environment that `environment.allow` reads (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly backoff?: ReloadBackoff;
  readonly foreignFunctions?: ReadonlyMap<string, ForeignFunction>;
}

interface LiveEntry {
  readonly key: string;
  readonly plugin: WasmPlugin;
  refs: number;
}

function specKey(sha: string, s: PluginSpec): string {
  return createHash('sha256')
    .update(
      JSON.stringify([sha, s.name, s.rootId, s.vmId, Buffer.from(s.configuration).toString('base64'), Buffer.from(s.vmConfiguration).toString('base64'), [...s.env], s.failStrategy, s.singleton, s.memoryBytes, s.callbackCpuMs, s.maxBufferBytes ?? null]),
    )
    .digest('hex');
}

function vmKey(sha: string, s: PluginSpec): string {
  return createHash('sha256')
    .update(JSON.stringify([sha, s.vmId, Buffer.from(s.vmConfiguration).toString('base64'), [...s.env], s.memoryBytes, s.callbackCpuMs]))
    .digest('hex');
}

/**
 * Builds the Wasm filters of each Snapshot. Per worker: a module is compiled once per content
 * hash (and memory cap / metering), plugins with the same vm_id, module, VM configuration and
 * limits share one VM, and an unchanged plugin keeps its VM and root context across Snapshots.
 * A changed plugin gets a new root context (on a new VM when its VM key changed) while streams
 * that started before keep using the old one until the old Snapshot is released.
 */
export class PluginManager implements FilterChainBuilder {
  readonly metrics: WasmMetrics;
  readonly host: HostServices;
  private readonly options: PluginManagerOptions;
  private readonly compiled = new Map<string, Promise<CompiledModule>>();
  private readonly vms = new Map<string, SharedVm>();
  private readonly live = new Map<string, LiveEntry>();
  private readonly ownsSharedData: boolean;
  private node: NodeInfo | undefined;
  private closed = false;

  constructor(options: PluginManagerOptions) {
    this.options = options;
    this.metrics = new WasmMetrics(options.registry);
    const sharedData = options.sharedData ?? new InProcessSharedData();
    this.ownsSharedData = options.sharedData === undefined;
    const clusters = options.clusters;
    this.host = {
      logging: options.logging,
      metrics: this.metrics,
      clusters: typeof clusters === 'function' ? clusters : () => clusters,
      sharedData,
      node: () => this.node,
      foreignFunctions: options.foreignFunctions ?? new Map(),
    };
  }

  private async compile(bytes: Uint8Array, sha: string, spec: PluginSpec, sourceMap: string | undefined): Promise<CompiledModule> {
    const metered = spec.callbackCpuMs > 0;
    const key = `${sha}:${spec.memoryBytes}:${metered}`;
    let p = this.compiled.get(key);
    if (!p) {
      p = compileModule(bytes, { memoryBytes: spec.memoryBytes, metered, fuelPerMs: metered ? fuelPerMs() : 0, ...(sourceMap !== undefined ? { sourceMap } : {}) });
      this.compiled.set(key, p);
      p.catch(() => this.compiled.delete(key));
    }
    return p;
  }

  private acquireVm(key: string, module: CompiledModule, spec: PluginSpec, fresh: boolean): SharedVm {
    const existing = this.vms.get(key);
    if (existing && !fresh && !existing.vm.failed) {
      existing.refs++;
      return existing;
    }
    const vm = new WasmVm(module, this.host, {
      vmId: spec.vmId,
      pluginName: spec.name,
      env: spec.env,
      vmConfiguration: spec.vmConfiguration,
      fuelPerCallback: WasmPlugin.fuel(spec),
      maxMemoryPages: module.maxMemoryPages,
    });
    try {
      vm.start();
    } catch (e) {
      throw new WeftError('wasm_vm_start_failed', `plugin "${spec.name}": the VM did not start: ${(e as Error).message}`, { cause: e });
    }
    const shared = new SharedVm(key, vm);
    shared.refs = 1;
    this.vms.set(key, shared);
    this.metrics.vmStarted(spec.name);
    (shared as { label?: string }).label = spec.name;
    return shared;
  }

  private releaseVm(shared: SharedVm): void {
    shared.refs--;
    if (shared.refs > 0) return;
    if (this.vms.get(shared.key) === shared) this.vms.delete(shared.key);
    for (const root of shared.vm.roots.values()) root.stopTimer();
    this.metrics.vmStopped((shared as { label?: string }).label ?? shared.vm.options.pluginName);
  }

  async prepare(next: Snapshot, _previous: PreparedFilterChains | undefined): Promise<PreparedFilterChains> {
    if (this.closed) throw new WeftError('wasm_manager_closed', 'the plugin manager is closed');
    const used: LiveEntry[] = [];
    const created: LiveEntry[] = [];
    const byName = new Map<string, LiveEntry>();
    const env = this.options.env ?? process.env;
    const previousNode = this.node;
    this.node = next.node ? { id: next.node.id, ...(next.node.service !== undefined ? { service: next.node.service } : {}), metadata: { ...next.node.metadata } } : undefined;
    try {
      for (const p of next.plugins) {
        const spec = pluginSpecFromConfig(p, env);
        const src = { ...(p.module.file !== undefined ? { file: p.module.file } : {}), ...(p.module.sha256 !== undefined ? { sha256: p.module.sha256 } : {}) };
        let loaded: { bytes: Uint8Array; sourceMap?: string };
        try {
          loaded = await loadModuleBytes(src, this.options.modules);
        } catch (e) {
          throw new WeftError('wasm_module_invalid', `plugin "${p.name}": ${(e as Error).message}`, { cause: e });
        }
        const sha = sha256Hex(loaded.bytes);
        const key = specKey(sha, spec);
        const existing = this.live.get(key);
        if (existing && existing.plugin.root && !existing.plugin.isClosed) {
          existing.refs++;
          used.push(existing);
          byName.set(p.name, existing);
          continue;
        }
        let module: CompiledModule;
        try {
          module = await this.compile(loaded.bytes, sha, spec, loaded.sourceMap);
        } catch (e) {
          throw new WeftError('wasm_module_invalid', `plugin "${p.name}": ${(e as Error).message}`, { cause: e });
        }
        const vkey = vmKey(sha, spec);
        const plugin = new WasmPlugin(spec, module, {
          host: this.host,
          ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
          acquireVm: (fresh) => this.acquireVm(vkey, module, spec, fresh),
          releaseVm: (vm) => this.releaseVm(vm),
        });
        plugin.start();
        const entry: LiveEntry = { key, plugin, refs: 1 };
        created.push(entry);
        used.push(entry);
        byName.set(p.name, entry);
      }
    } catch (e) {
      this.node = previousNode;
      for (const entry of used) if (!created.includes(entry)) entry.refs--;
      for (const entry of created) entry.plugin.close();
      throw e instanceof WeftError ? e : new WeftError('wasm_prepare_failed', (e as Error).message, { cause: e });
    }
    for (const entry of created) this.live.set(entry.key, entry);

    const http = new Map<string, HttpFilterFactory[]>();
    const network = new Map<string, NetworkFilterFactory[]>();
    const ordered = next.plugins.map((p, i) => ({ p, i })).sort((a, b) => b.p.priority - a.p.priority || a.i - b.i);
    for (const { p } of ordered) {
      const entry = byName.get(p.name)!;
      for (const chain of p.filter_chains) {
        if (!http.has(chain)) http.set(chain, []);
        if (!network.has(chain)) network.set(chain, []);
        http.get(chain)!.push(entry.plugin.http);
        network.get(chain)!.push(entry.plugin.network);
      }
    }
    for (const list of [...http.values(), ...network.values()]) Object.freeze(list);
    let released = false;
    const empty: readonly never[] = Object.freeze([]);
    return {
      http: (chain) => http.get(chain) ?? empty,
      network: (chain) => network.get(chain) ?? empty,
      release: () => {
        if (released) return;
        released = true;
        for (const entry of used) this.unref(entry);
      },
    };
  }

  private unref(entry: LiveEntry): void {
    entry.refs--;
    if (entry.refs > 0) return;
    if (this.live.get(entry.key) === entry) this.live.delete(entry.key);
    entry.plugin.close();
  }

  /** The running plugin named `name` (the newest one), for tests and the admin API. */
  plugin(name: string): WasmPlugin | undefined {
    let found: WasmPlugin | undefined;
    for (const e of this.live.values()) if (e.plugin.spec.name === name) found = e.plugin;
    return found;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.live.values()) entry.plugin.close();
    this.live.clear();
    if (this.ownsSharedData) this.host.sharedData.close?.();
  }
}
