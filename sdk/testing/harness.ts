// The filter test harness: a built plugin on the proxy's own Wasm host, with fake clusters, clock and randomness around it.
import { Registry } from 'prom-client';
import { WeftError } from '../../lib/errors.js';
import { Logging, type LogLevel as HostLogLevel } from '../../lib/log.js';
import {
  configBytes,
  InProcessSharedData,
  SharedVm,
  WasmMetrics,
  WasmPlugin,
  WasmVm,
  type FailStrategy,
  type ForeignFunction,
  type HostServices,
  type NodeInfo,
  type PluginMetric,
  type PluginSpec,
  type SharedDataStore,
} from '../../proxy/wasm/index.js';
import { FakeClock } from './fake-clock.js';
import { FakeClusters, type Callout, type DeliveryScheduler, type FakeCluster, type FakeClusterOptions, type Responder, type CannedAnswer } from './fake-cluster.js';
import { FakeRandom } from './fake-random.js';
import { HttpStream, type HttpStreamOptions } from './http-stream.js';
import { TcpConnection } from './tcp-connection.js';
import { FilterModule, loadFilter, type FilterSource } from './filter-module.js';
import type { ConnectionInfo } from '../../proxy/wasm/index.js';

/** The proxy-wasm log levels, as the harness reports a plugin's log lines. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical';

/** One line the plugin (or the host, about the plugin) logged. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  /** The context that logged it (absent for host lines). */
  readonly contextId: number | undefined;
  /** Every field of the structured line. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** How to run the plugin: its configuration as in `weft.yaml`, and the world around it. */
export interface HarnessOptions {
  /** Plugin configuration: a string is passed as is, anything else as JSON (absent: empty). */
  readonly configuration?: unknown;
  /** VM configuration, likewise. */
  readonly vmConfiguration?: unknown;
  /** Plugin name (logs, metrics). Default "filter". */
  readonly name?: string;
  /** Root id the module's root context registers under. Default "". */
  readonly rootId?: string;
  /** vm_id (shared data namespace). Default "". */
  readonly vmId?: string;
  /** Environment variables the module sees. */
  readonly env?: Readonly<Record<string, string>>;
  /** What happens to streams when the VM fails. Default "closed" (as the proxy). */
  readonly failStrategy?: FailStrategy;
  /** Memory cap in bytes. Default 64 MiB (as the proxy). */
  readonly memoryBytes?: number;
  /** CPU budget per callback in ms; 0 turns metering off. Default 100 (as the proxy). */
  readonly callbackCpuMs?: number;
  /** Largest body the filter may hold buffered. Default 1 MiB (the listener default). */
  readonly maxBufferBytes?: number;
  /**
   * Fake upstream clusters for callouts, by name: a responder function, a canned answer for every
   * call (`{ status: 200 }`), or options (`{ protocol: 'http2' }`; `{}` leaves calls pending for
   * the test to answer).
   */
  readonly clusters?: Readonly<Record<string, Responder | CannedAnswer | FakeClusterOptions>>;
  /** The clock (default: a FakeClock at the current time, standing still). */
  readonly clock?: FakeClock;
  /** Randomness (default: a FakeRandom with a fixed seed). */
  readonly random?: FakeRandom;
  /** Shared data and queues; pass one store to several harnesses to model workers. */
  readonly sharedData?: SharedDataStore;
  /** The node (`node.*` properties). */
  readonly node?: NodeInfo;
  readonly foreignFunctions?: ReadonlyMap<string, ForeignFunction>;
  /** The host's level for the `wasm` component (what proxy_get_log_level returns). Default "trace". */
  readonly logLevel?: Exclude<HostLogLevel, 'silent'>;
}

/** The plugin refused to start (on_vm_start / on_configure returned false, or it trapped). */
export class PluginStartError extends WeftError {
  constructor(
    message: string,
    /** What the plugin logged while starting. */
    readonly logs: readonly LogRecord[],
    options?: { cause?: unknown },
  ) {
    super('wasm_plugin_start_failed', message, options);
    this.name = 'PluginStartError';
  }
}

const LEVELS: Record<string, LogLevel> = { trace: 'trace', debug: 'debug', info: 'info', warn: 'warn', error: 'error', fatal: 'critical' };
const MIB = 1024 * 1024;

/**
 * A plugin running on the proxy's own Wasm host (`proxy/wasm`: the same module loader, VM,
 * hostcalls and filter adapters the proxy runs), without a proxy. The world outside the VM is
 * fake and named so: `FakeCluster`s answer callouts, a `FakeClock` moves only when the test
 * advances it, `FakeRandom` gives repeatable randomness. Streams are driven through the same
 * HttpFilter / NetworkFilter contract the proxy's filter chain uses.
 *
 * @example
 * const h = await FilterHarness.load(wasm, {
 *   configuration: { cluster: 'authz' },
 *   clusters: { authz: (call) => ({ status: call.headers.get('authorization') ? 200 : 403 }) },
 * });
 * const s = h.http();
 * assert.equal(s.sendRequestHeaders({ ':path': '/', authorization: 'Bearer t' }, true), 'stop');
 * await h.idle();                      // the callout is answered, the filter resumes
 * assert.ok(s.request.headersForwarded);
 * assert.equal(h.callouts[0].path, '/check');
 * h.close();
 */
export class FilterHarness {
  readonly plugin: WasmPlugin;
  readonly spec: PluginSpec;
  readonly clock: FakeClock;
  readonly random: FakeRandom;
  readonly clusters: FakeClusters;
  readonly sharedData: SharedDataStore;
  readonly hostMetrics: WasmMetrics;
  private readonly records: LogRecord[];
  private readonly pending: { count: number; errors: unknown[] };
  private readonly allCallouts: Callout[];

  private constructor(parts: {
    plugin: WasmPlugin;
    spec: PluginSpec;
    clock: FakeClock;
    random: FakeRandom;
    clusters: FakeClusters;
    sharedData: SharedDataStore;
    metrics: WasmMetrics;
    records: LogRecord[];
    pending: { count: number; errors: unknown[] };
    callouts: Callout[];
  }) {
    this.plugin = parts.plugin;
    this.spec = parts.spec;
    this.clock = parts.clock;
    this.random = parts.random;
    this.clusters = parts.clusters;
    this.sharedData = parts.sharedData;
    this.hostMetrics = parts.metrics;
    this.records = parts.records;
    this.pending = parts.pending;
    this.allCallouts = parts.callouts;
  }

  private get vm(): WasmVm | undefined {
    return this.plugin.vm;
  }

  /** Loads `source` and starts it: `loadFilter(source)` then `start(options)`. */
  static async load(source: FilterSource | FilterModule, options: HarnessOptions = {}): Promise<FilterHarness> {
    const m = source instanceof FilterModule ? source : await loadFilter(source);
    return FilterHarness.start(m, options);
  }

  /** @internal */
  static async start(filter: FilterModule, options: HarnessOptions): Promise<FilterHarness> {
    const spec: PluginSpec = {
      name: options.name ?? 'filter',
      rootId: options.rootId ?? '',
      vmId: options.vmId ?? '',
      configuration: configBytes(options.configuration),
      vmConfiguration: configBytes(options.vmConfiguration),
      env: new Map(Object.entries(options.env ?? {})),
      failStrategy: options.failStrategy ?? 'closed',
      singleton: false,
      memoryBytes: options.memoryBytes ?? 64 * MIB,
      callbackCpuMs: options.callbackCpuMs ?? 100,
      maxBufferBytes: options.maxBufferBytes ?? MIB,
    };
    const module = await filter.compile(spec.memoryBytes, spec.callbackCpuMs > 0);
    const records: LogRecord[] = [];
    const logging = new Logging({
      level: options.logLevel ?? 'trace',
      destination: {
        write(line: string) {
          const o = JSON.parse(line) as Record<string, unknown>;
          if (o.component !== 'wasm') return;
          const ctx = o.context_id;
          records.push({ level: LEVELS[String(o.level)] ?? 'info', message: String(o.msg ?? ''), contextId: typeof ctx === 'number' ? ctx : undefined, fields: o });
        },
      },
    });
    const clock = options.clock ?? new FakeClock();
    const random = options.random ?? new FakeRandom();
    const pending = { count: 0, errors: [] as unknown[] };
    const callouts: Callout[] = [];
    const scheduler: DeliveryScheduler = {
      recorded: (call) => callouts.push(call),
      later(fn) {
        pending.count++;
        setImmediate(() => {
          pending.count--;
          try {
            fn();
          } catch (e) {
            pending.errors.push(e);
          }
        });
      },
    };
    const clusters = new FakeClusters(clock, scheduler);
    for (const [name, c] of Object.entries(options.clusters ?? {})) {
      // {} declares a cluster whose calls the test answers by hand; a canned 200 is { status: 200 }.
      const isOptions = typeof c === 'object' && (Object.keys(c).length === 0 || 'respond' in c || 'protocol' in c);
      clusters.add(name, isOptions ? (c as FakeClusterOptions) : { respond: c as Responder | CannedAnswer });
    }
    const metrics = new WasmMetrics(new Registry());
    const sharedData = options.sharedData ?? new InProcessSharedData();
    const host: HostServices = {
      logging,
      metrics,
      clusters: () => clusters,
      sharedData,
      node: () => options.node,
      foreignFunctions: options.foreignFunctions ?? new Map(),
      clock,
      random: (out) => random.fill(out),
    };
    const plugin = new WasmPlugin(spec, module, {
      host,
      acquireVm: () => {
        const vm = new WasmVm(module, host, {
          vmId: spec.vmId,
          pluginName: spec.name,
          env: spec.env,
          vmConfiguration: spec.vmConfiguration,
          fuelPerCallback: WasmPlugin.fuel(spec),
          maxMemoryPages: module.maxMemoryPages,
        });
        vm.start();
        const shared = new SharedVm(spec.name, vm);
        shared.refs = 1;
        return shared;
      },
      releaseVm: (shared) => {
        for (const root of shared.vm.roots.values()) root.stopTimer();
      },
    });
    try {
      plugin.start();
    } catch (e) {
      throw new PluginStartError((e as Error).message, records, { cause: e });
    }
    return new FilterHarness({ plugin, spec, clock, random, clusters, sharedData, metrics, records, pending, callouts });
  }

  // ---- streams ----

  /**
   * A new HTTP stream through the filter (its context is created now, as the proxy creates it
   * when a request starts).
   */
  http(options: HttpStreamOptions = {}): HttpStream {
    const s = new HttpStream((cb) => this.plugin.http.create(cb), this.spec.maxBufferBytes ?? MIB, this.clock.now(), this.clock.monotonicMs(), options);
    s.start();
    return s;
  }

  /** A new TCP connection through the filter as a network filter. */
  tcp(connection: Partial<ConnectionInfo> = {}): TcpConnection {
    return new TcpConnection((cb) => this.plugin.network.create(cb), connection);
  }

  // ---- the world outside the VM ----

  /** Every callout the plugin made, oldest first. */
  get callouts(): readonly Callout[] {
    return this.allCallouts;
  }

  /** The fake cluster `name`, declared now if it was not (callouts to undeclared clusters fail with BadArgument). */
  cluster(name: string, options: FakeClusterOptions = {}): FakeCluster {
    return this.clusters.add(name, options);
  }

  /** Moves the fake clock forward: tick timers and callout timeouts fire on the way. */
  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** The plugin's tick period in ms (0: no timer). */
  get tickPeriodMs(): number {
    return this.plugin.root?.tickPeriodMs ?? 0;
  }

  /** Advances the clock by one tick period (on_tick runs once). */
  tick(): void {
    const p = this.tickPeriodMs;
    if (p === 0) throw new Error('the plugin set no tick period');
    this.clock.advance(p);
  }

  /**
   * Waits until every scheduled delivery (canned callout answers, shared queue notifications) has
   * run and the plugin reacted. Does not move the clock.
   */
  async idle(): Promise<void> {
    let quiet = 0;
    for (let turns = 0; turns < 1000; turns++) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.pending.errors.length > 0) throw this.pending.errors.shift();
      quiet = this.pending.count === 0 ? quiet + 1 : 0;
      if (quiet >= 2) return;
    }
    throw new Error('harness.idle: deliveries kept coming for 1000 turns of the event loop');
  }

  // ---- what the plugin did ----

  /** Every line the plugin logged (and host lines about it: traps, failures), oldest first. */
  get logs(): readonly LogRecord[] {
    return this.records;
  }

  /** The messages logged at `level` or above (all by default). */
  logMessages(level: LogLevel = 'trace'): string[] {
    const order: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'critical'];
    const min = order.indexOf(level);
    return this.records.filter((r) => order.indexOf(r.level) >= min && r.contextId !== undefined).map((r) => r.message);
  }

  /** Forgets the logs so far. */
  clearLogs(): void {
    this.records.length = 0;
  }

  /** Every metric the plugin defined, with its current value. */
  metrics(): PluginMetric[] {
    return this.hostMetrics.definedBy(this.spec.name);
  }

  /** The value of metric `name` (a histogram's is the sum of its samples), or undefined when not defined. */
  metric(name: string): number | undefined {
    return this.metrics().find((m) => m.name === name)?.value;
  }

  /** A shared data entry of the plugin's vm_id. */
  getSharedData(key: string): { value: Buffer; cas: number } | undefined {
    const e = this.sharedData.get(this.spec.vmId, key);
    return e ? { value: Buffer.from(e.value), cas: e.cas } : undefined;
  }

  /** Writes a shared data entry of the plugin's vm_id, as another VM would. */
  setSharedData(key: string, value: string | Uint8Array): void {
    this.sharedData.set(this.spec.vmId, key, typeof value === 'string' ? Buffer.from(value) : value, 0);
  }

  /** True once the VM trapped (or ran out of CPU or memory). */
  get failed(): boolean {
    return this.vm?.failed ?? true;
  }

  /** Why the VM failed (trap message, with the AssemblyScript source location in `logs` when a source map was given). */
  get failure(): string | undefined {
    return this.vm?.failure;
  }

  /** The VM's linear memory size in bytes. */
  get memoryBytes(): number {
    return this.vm?.memory.buffer.byteLength ?? 0;
  }

  /**
   * Calls a function the module exports (a test-only entry point, say) as the host calls a
   * callback: with the root context current, the CPU budget reset, traps caught (the VM then
   * fails) and deferred host actions run afterwards. Returns its result, or -1 when it trapped.
   *
   * @example
   * assert.equal(h.callExport('probe_version'), 3);
   */
  callExport(name: string, ...args: (number | bigint)[]): number {
    const vm = this.vm;
    const fn = vm?.rawExports[name];
    if (!vm || typeof fn !== 'function') throw new Error(`the module exports no function ${name}`);
    return vm.callArgs(this.plugin.root, fn as (...a: never[]) => unknown, args);
  }

  /**
   * Copies `data` into memory the module allocates (its proxy_on_memory_allocate), for a test-only
   * export to read; returns the address. The module owns (and frees) it.
   */
  allocate(data: string | Uint8Array): number {
    const vm = this.vm;
    if (!vm) throw new Error('the plugin has no VM');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const ptr = vm.alloc(Math.max(1, bytes.length));
    if (ptr === 0) throw new Error('the module could not allocate');
    vm.bytes().set(bytes, ptr);
    return ptr;
  }

  /** Ends the plugin: the root context gets on_done / on_delete; timers stop. */
  close(): void {
    this.plugin.close();
  }
}
