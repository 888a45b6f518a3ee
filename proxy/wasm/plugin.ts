// WasmPlugin: one plugin running in one worker — its VM, root context, fail strategy and filter factories.
import { WeftError } from '../../lib/errors.js';
import type { HttpFilterFactory } from '../http/filter.js';
import type { NetworkFilterFactory } from '../tcp/network-filter.js';
import { RootContext } from './context.js';
import { fuelForBudget } from './fuel.js';
import type { HostServices } from './host-services.js';
import type { CompiledModule } from './module-loader.js';
import type { PluginSpec } from './plugin-spec.js';
import { WasmVm } from './vm.js';
import { WasmHttpFilterFactory } from './http-filter.js';
import { WasmNetworkFilterFactory } from './network-filter.js';

export interface ReloadBackoff {
  /** First delay before replacing a failed VM (default 500 ms). */
  readonly initialMs: number;
  /** Longest delay (default 30 s); the delay doubles after each failure in a row. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: ReloadBackoff = { initialMs: 500, maxMs: 30_000 };

/** A VM that several plugins (same vm_id and module) may share. */
export class SharedVm {
  refs = 0;
  constructor(
    readonly key: string,
    readonly vm: WasmVm,
  ) {}
}

export interface WasmPluginOptions {
  readonly host: HostServices;
  readonly backoff?: ReloadBackoff;
  /** Supplies the VM to run on (shared by plugins with the same key); `fresh` asks for a new one (reload). */
  readonly acquireVm: (fresh: boolean) => SharedVm;
  readonly releaseVm: (vm: SharedVm) => void;
}

/**
 * Lifecycle: `start()` runs on_context_create/on_vm_start/on_configure (throws a WeftError when
 * the module rejects its configuration or traps); `close()` ends the root context (on_done,
 * on_delete) and releases the VM. When the VM fails, the plugin follows its fail strategy:
 * closed and open keep the failed VM (streams get 503 or skip the filter), reload replaces it
 * after a backoff (503 meanwhile).
 */
export class WasmPlugin {
  readonly spec: PluginSpec;
  readonly module: CompiledModule;
  readonly http: HttpFilterFactory;
  readonly network: NetworkFilterFactory;
  private shared: SharedVm | undefined;
  private rootCtx: RootContext | undefined;
  private closed = false;
  private reloadTimer: NodeJS.Timeout | undefined;
  private failuresInARow = 0;
  private lastStart = 0;
  private readonly options: WasmPluginOptions;
  /** Why the plugin is not running (VM failed), for 503 bodies and logs. */
  failure: string | undefined;

  constructor(spec: PluginSpec, module: CompiledModule, options: WasmPluginOptions) {
    this.spec = spec;
    this.module = module;
    this.options = options;
    this.http = new WasmHttpFilterFactory(this);
    this.network = new WasmNetworkFilterFactory(this);
  }

  /** The running root context, or undefined while the plugin is failed or reloading. */
  get root(): RootContext | undefined {
    return this.rootCtx && !this.rootCtx.vm.failed ? this.rootCtx : undefined;
  }

  get vm(): WasmVm | undefined {
    return this.shared?.vm;
  }

  static fuel(spec: PluginSpec): bigint {
    return fuelForBudget(spec.callbackCpuMs);
  }

  start(fresh = false): void {
    const shared = this.options.acquireVm(fresh);
    const root = new RootContext(shared.vm, this.spec);
    const why = root.start();
    if (why !== undefined) {
      root.deleted = true;
      shared.vm.unregister(root.id);
      shared.vm.roots.delete(root.id);
      this.options.releaseVm(shared);
      throw new WeftError('wasm_plugin_start_failed', `plugin "${this.spec.name}": ${why}`);
    }
    this.shared = shared;
    this.rootCtx = root;
    this.failure = undefined;
    this.lastStart = Date.now();
    shared.vm.onFail((_vm, message) => this.onVmFailed(root, message));
  }

  private onVmFailed(root: RootContext, message: string): void {
    if (root !== this.rootCtx || this.closed) return;
    this.failure = message;
    for (const s of root.liveStreams()) s.failureHandler?.vmFailed();
    if (this.spec.failStrategy === 'reload') this.scheduleReload();
  }

  private scheduleReload(): void {
    if (this.reloadTimer || this.closed) return;
    const b = this.options.backoff ?? DEFAULT_BACKOFF;
    if (Date.now() - this.lastStart > b.maxMs * 2) this.failuresInARow = 0;
    const delay = Math.min(b.maxMs, b.initialMs * 2 ** this.failuresInARow);
    this.failuresInARow++;
    const log = this.options.host.logging.logger('wasm', { plugin: this.spec.name });
    log.warn({ delay_ms: delay }, `replacing the failed VM of plugin "${this.spec.name}" in ${delay} ms`);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      if (this.closed) return;
      const old = this.shared;
      this.rootCtx = undefined;
      this.shared = undefined;
      if (old) this.options.releaseVm(old);
      try {
        this.start(true);
        this.options.host.metrics.restart(this.spec.name);
        log.info('replaced the failed VM');
      } catch (e) {
        this.failure = (e as Error).message;
        log.error({ err: e }, 'replacing the failed VM failed');
        this.scheduleReload();
      }
    }, delay);
    this.reloadTimer.unref();
  }

  /** Ends the root context and releases the VM. Streams must have ended (the manager ensures it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    const root = this.rootCtx;
    this.rootCtx = undefined;
    if (root && !root.deleted) root.shutdown();
    if (this.shared) this.options.releaseVm(this.shared);
    this.shared = undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
