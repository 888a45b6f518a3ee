// createDataPlane: applies Snapshots atomically (listeners, routes, clusters, filter chains), drains and closes.
import type { Registry } from 'prom-client';
import type { Listener as ListenerConfig, Snapshot } from '../api/snapshot/index.js';
import { WeftError } from '../lib/errors.js';
import type { Logger, Logging } from '../lib/log.js';
import type { FilterChainBuilder, PreparedFilterChains } from './config/filter-chains.js';
import type { ApplyResult, DataPlane } from './data-plane.js';
import { HttpConnectionManager, HttpListenerRuntime, requestIdGenerator, type SnapshotLease } from './http/connection-manager.js';
import { DeadlineSweeper } from './http/deadline-sweeper.js';
import type { H1ParserFactory } from './http/h1-parser.js';
import type { HttpCodecOptions, ProtocolHooks } from './listener/hooks.js';
import { Listener, type ListenerRuntime } from './listener/listener.js';
import { compileRouteTable, type RouteTable } from './router/index.js';
import { builtinClusterPools, builtinProtocolHooks, builtinTlsConnector } from './builtin-protocols.js';
import { ProxyMetrics } from './stats/proxy-metrics.js';
import { TcpMetrics } from './tcp/tcp-metrics.js';
import { SnapshotClusters, type ClusterManagerOptions } from './upstream/cluster-manager.js';
import type { ClusterManager } from './upstream/types.js';

export interface DataPlaneOptions {
  readonly logging: Logging;
  /** Where the data plane registers its metrics (the admin listener serves it). */
  readonly metrics: Registry;
  readonly filterChains: FilterChainBuilder;
  /** HTTP/2, TLS termination and TCP proxy implementations (default: Weft's own, builtin-protocols.ts). */
  readonly hooks?: ProtocolHooks;
  /** Pool factories by cluster protocol (default: Weft's HTTP/1.1 and HTTP/2 pools). */
  readonly clusterPools?: ClusterManagerOptions['poolFactories'];
  /** TLS origination for clusters with `tls` (default: Weft's). */
  readonly tlsConnector?: ClusterManagerOptions['tlsConnector'];
  /** Randomness for load balancing and weighted clusters (tests pass a seeded one). */
  readonly random?: () => number;
  /** The HTTP/1 parser (default: llhttp). */
  readonly parserFactory?: H1ParserFactory;
}

/** The DataPlane, plus what tests and the admin listener may look at. */
export interface DataPlaneImpl extends DataPlane {
  readonly metrics: ProxyMetrics;
  /** Snapshots still holding resources (the live one plus retired ones with streams in flight). */
  readonly liveGenerations: number;
  /** The clusters of the live Snapshot (what Wasm plugins' callouts target), or undefined before the first apply. */
  clusters(): ClusterManager | undefined;
}

export function createDataPlane(options: DataPlaneOptions): DataPlaneImpl {
  return new WeftDataPlane(options);
}

/**
 * The resources of one applied Snapshot. Streams hold a lease; once the Snapshot is replaced
 * (retired) and its last lease is returned, its filter chains and unshared pools are released.
 */
class Generation implements SnapshotLease {
  private refs = 0;
  private retired = false;
  private disposed = false;

  constructor(
    readonly snapshot: Snapshot,
    readonly version: string,
    readonly chains: PreparedFilterChains,
    readonly clusters: SnapshotClusters,
    readonly routeTables: ReadonlyMap<string, RouteTable>,
    private readonly onDispose: (g: Generation) => void,
  ) {}

  acquire(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs <= 0 && this.retired) this.dispose();
  }

  retire(): void {
    this.retired = true;
    if (this.refs <= 0) this.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      this.chains.release();
    } finally {
      this.clusters.release();
      this.onDispose(this);
    }
  }
}

/** One bound listener with what it keeps across Snapshots. */
interface ListenerEntry {
  readonly listener: Listener;
  manager: HttpConnectionManager | undefined;
  sweeper: DeadlineSweeper | undefined;
}

function listenerKey(l: ListenerConfig): string {
  const a = l.address;
  return a.port === 0 ? `${l.name}@${a.host}:0` : `${a.host}:${a.port}`;
}

class WeftDataPlane implements DataPlaneImpl {
  readonly metrics: ProxyMetrics;
  private readonly log: Logger;
  private readonly httpLog: Logger;
  private readonly upstreamLog: Logger;
  private readonly listenerLog: Logger;
  private gen: Generation | undefined;
  private readonly generations = new Set<Generation>();
  private entries = new Map<string, ListenerEntry>();
  private applyQueue: Promise<unknown> = Promise.resolve();
  private applies = 0;
  private connectionIds = 0;
  private isDraining = false;
  private closed = false;
  private readonly hooks: ProtocolHooks;
  private readonly tcpMetrics: TcpMetrics;
  private readonly newRequestId = requestIdGenerator();

  constructor(private readonly options: DataPlaneOptions) {
    this.metrics = new ProxyMetrics(options.metrics);
    this.log = options.logging.logger('data-plane');
    this.httpLog = options.logging.logger('http');
    this.upstreamLog = options.logging.logger('upstream');
    this.listenerLog = options.logging.logger('listener');
    this.hooks = options.hooks ?? builtinProtocolHooks(options.logging);
    this.tcpMetrics = new TcpMetrics(options.metrics);
  }

  get snapshot(): Snapshot | undefined {
    return this.gen?.snapshot;
  }

  get draining(): boolean {
    return this.isDraining;
  }

  clusters(): ClusterManager | undefined {
    return this.gen?.clusters;
  }

  get liveGenerations(): number {
    return this.generations.size;
  }

  addresses(): ReadonlyMap<string, { host: string; port: number }> {
    const out = new Map<string, { host: string; port: number }>();
    for (const e of this.entries.values()) out.set(e.listener.name, e.listener.address());
    return out;
  }

  apply(snapshot: Snapshot): Promise<ApplyResult> {
    const run = this.applyQueue.then(() => this.applyNow(snapshot));
    this.applyQueue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(snapshot: Snapshot): Promise<ApplyResult> {
    if (this.closed || this.isDraining) throw new WeftError('data_plane_stopped', 'the data plane is draining or closed: no Snapshot can be applied');
    const version = snapshot.version ?? `unversioned-${++this.applies}`;
    const prev = this.gen;
    let chains: PreparedFilterChains;
    try {
      chains = await this.options.filterChains.prepare(snapshot, prev?.chains);
    } catch (e) {
      throw this.rejected(version, e, 'filter_chains_failed');
    }
    let clusters: SnapshotClusters | undefined;
    const opened: Listener[] = [];
    let gen: Generation;
    const plans: { config: ListenerConfig; key: string; entry: ListenerEntry | undefined; runtime?: ListenerRuntime; sweeper?: DeadlineSweeper; manager?: HttpConnectionManager }[] = [];
    try {
      this.checkHooks(snapshot);
      const routeTables = new Map<string, RouteTable>();
      for (const t of snapshot.route_tables) routeTables.set(t.name, compileRouteTable(t, { random: this.options.random }));
      const built = SnapshotClusters.build(
        snapshot,
        {
          logger: this.upstreamLog,
          metrics: this.metrics,
          poolFactories: this.options.clusterPools ?? builtinClusterPools,
          tlsConnector: this.options.tlsConnector ?? builtinTlsConnector,
          random: this.options.random,
          parserFactory: this.options.parserFactory,
        },
        prev?.clusters,
      );
      if (!built.ok) throw built.error;
      clusters = built.value;
      gen = new Generation(snapshot, version, chains, clusters, routeTables, (g) => this.generations.delete(g));
      for (const config of snapshot.listeners) {
        const key = listenerKey(config);
        const entry = this.entries.get(key) ?? this.boundAt(config);
        const plan: (typeof plans)[number] = { config, key, entry };
        this.buildRuntime(plan, gen, snapshot);
        plans.push(plan);
      }
      for (const plan of plans) {
        if (plan.entry !== undefined) continue;
        opened.push(await Listener.open(plan.runtime!, { logger: this.listenerLog, hooks: this.hooks, nextConnectionId: () => ++this.connectionIds }));
      }
      // close() or drain() may have run while this apply awaited.
      if (this.closed || this.isDraining) throw new WeftError('data_plane_stopped', 'the data plane stopped while the Snapshot was being applied');
    } catch (e) {
      for (const l of opened) await l.close();
      clusters?.release();
      try {
        chains.release();
      } catch (releaseError) {
        this.log.error({ err: releaseError }, 'releasing the filter chains of a rejected Snapshot failed');
      }
      throw this.rejected(version, e, 'apply_failed');
    }

    // Everything is ready: swap atomically (no await from here on).
    const next = new Map<string, ListenerEntry>();
    const added: string[] = [];
    const kept: string[] = [];
    let openedIndex = 0;
    for (const plan of plans) {
      let entry = plan.entry;
      if (entry === undefined) {
        entry = { listener: opened[openedIndex++]!, manager: plan.manager, sweeper: plan.sweeper };
        added.push(plan.config.name);
      } else {
        const http = plan.runtime!.http;
        if (http !== undefined) http.manager.update(http.runtime);
        entry.listener.update(plan.runtime!);
        entry.manager = plan.manager;
        entry.sweeper = plan.sweeper;
        kept.push(plan.config.name);
      }
      next.set(plan.key, entry);
    }
    const keptEntries = new Set(next.values());
    const removed: ListenerEntry[] = [];
    for (const entry of this.entries.values()) if (!keptEntries.has(entry)) removed.push(entry);
    this.entries = next;
    this.generations.add(gen);
    this.gen = gen;
    for (const e of next.values()) e.listener.activate();
    prev?.retire();
    for (const e of removed) {
      const timeout = e.listener.config.http?.drain_timeout ?? 15_000;
      e.listener.drain(timeout).catch((err) => this.log.error({ err, listener: e.listener.name }, 'draining a removed listener failed'));
    }
    this.metrics.configApplied(version);
    const result: ApplyResult = { version, listeners: { added, removed: removed.map((e) => e.listener.name), kept } };
    this.log.info({ version, ...result.listeners }, 'snapshot applied');
    return result;
  }

  /** A listener configured with port 0 now named by the port it got (tests and tools re-applying what addresses() said). */
  private boundAt(config: ListenerConfig): ListenerEntry | undefined {
    if (config.address.port === 0) return undefined;
    for (const e of this.entries.values()) {
      const a = e.listener.address();
      if (e.listener.config.address.port === 0 && a.port === config.address.port && a.host === config.address.host) return e;
    }
    return undefined;
  }

  /** Builds a listener's runtime for the new Snapshot (its HTTP manager and sweeper carried over when possible). */
  private buildRuntime(
    plan: { config: ListenerConfig; entry: ListenerEntry | undefined; runtime?: ListenerRuntime; sweeper?: DeadlineSweeper; manager?: HttpConnectionManager },
    gen: Generation,
    snapshot: Snapshot,
  ): void {
    const config = plan.config;
    const metrics = this.metrics.listener(config.name);
    const tls = config.tls !== undefined ? this.hooks.tls!(config, snapshot) : undefined;
    if (config.protocol === 'tcp') {
      plan.runtime = {
        config,
        metrics,
        tls,
        tcp: {
          config: config.tcp!,
          clusters: gen.clusters,
          filterChains: gen.chains,
          lease: gen,
          logger: this.options.logging.logger('tcp'),
          metrics: this.tcpMetrics.listener(config.name),
        },
      };
      return;
    }
    const h = config.http!;
    const httpRuntime = new HttpListenerRuntime({
      listenerName: config.name,
      routeTable: gen.routeTables.get(h.route_table)!,
      clusters: gen.clusters,
      filterChains: gen.chains,
      filterChain: h.filter_chain,
      maxBufferBytes: h.max_buffer_bytes,
      xffTrustedHops: h.xff_trusted_hops,
      metrics,
      clusterMetrics: (name) => this.metrics.cluster(name),
      logger: this.httpLog,
      lease: gen,
      newRequestId: this.newRequestId,
    });
    const tick = DeadlineSweeper.tickFor(h.headers_timeout, h.request_timeout, h.idle_timeout);
    const sweeper = plan.entry?.sweeper !== undefined && plan.entry.sweeper.tickMs === tick ? plan.entry.sweeper : new DeadlineSweeper(tick);
    const codec: HttpCodecOptions = {
      maxHeaderBytes: h.max_header_bytes,
      maxHeaderCount: h.max_header_count,
      headersTimeoutMs: h.headers_timeout,
      requestTimeoutMs: h.request_timeout,
      idleTimeoutMs: h.idle_timeout,
      sweeper,
      logger: this.httpLog,
      parserFactory: this.options.parserFactory,
    };
    const manager = plan.entry?.manager ?? new HttpConnectionManager(httpRuntime);
    plan.manager = manager;
    plan.sweeper = sweeper;
    plan.runtime = { config, metrics, tls, http: { manager, runtime: httpRuntime, codec, http2: h.http2 } };
  }

  private checkHooks(snapshot: Snapshot): void {
    for (const l of snapshot.listeners) {
      if (l.tls !== undefined && this.hooks.tls === undefined) {
        throw new WeftError('tls_termination_unavailable', `listener "${l.name}": TLS termination is not available in this build`);
      }
      if (l.protocol === 'tcp' && this.hooks.serveTcp === undefined) {
        throw new WeftError('tcp_proxy_unavailable', `listener "${l.name}": the TCP proxy is not available in this build`);
      }
    }
  }

  private rejected(version: string, e: unknown, code: string): WeftError {
    this.metrics.configRejected();
    const error = e instanceof WeftError ? e : new WeftError(code, `Snapshot ${version} cannot be applied: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    this.log.warn({ version, code: error.code, reason: error.message }, 'snapshot rejected; the previous one keeps serving');
    return error;
  }

  async drain(timeoutMs: number): Promise<void> {
    this.isDraining = true;
    this.log.info({ timeoutMs }, 'draining');
    await Promise.all([...this.entries.values()].map((e) => e.listener.drain(timeoutMs)));
    this.gen?.clusters.closeIdle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.isDraining = true;
    await Promise.all([...this.entries.values()].map((e) => e.listener.close()));
    for (const e of this.entries.values()) e.sweeper?.close();
    this.gen?.retire();
    // Streams were reset with their connections; whatever still holds a Snapshot is let go now.
    for (const g of [...this.generations]) g.dispose();
    await this.options.filterChains.close();
    this.log.info('closed');
  }
}
