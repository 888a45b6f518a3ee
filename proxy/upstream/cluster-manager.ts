// The clusters of one Snapshot; pools whose cluster did not change are carried over from the previous Snapshot.
import { formatAddress, type ClusterConfig, type HostPort, type Snapshot } from '../../api/snapshot/index.js';
import { WeftError, err, ok, type Result } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { H1ParserFactory } from '../http/h1-parser.js';
import type { ProxyMetrics } from '../stats/proxy-metrics.js';
import { tcpConnector, type UpstreamConnector, type UpstreamSocket } from './connector.js';
import type { LoadBalancer } from './load-balancer.js';
import { createLoadBalancer } from './load-balancers.js';
import { createHttp1Pool, type ClusterPool, type PoolContext } from './pool-http1.js';
import type { ClusterManager } from './types.js';

/** Makes the pool of one cluster for one protocol. */
export type ClusterPoolFactory = (config: ClusterConfig, ctx: PoolContext) => ClusterPool;

export interface ClusterManagerOptions {
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  /** Pool factories by cluster protocol; `http1` defaults to Weft's HTTP/1.1 pool. */
  readonly poolFactories?: Partial<Record<ClusterConfig['protocol'], ClusterPoolFactory>>;
  /**
   * The connector of a cluster with `tls` (TLS origination). Without it such clusters are
   * rejected. May throw a WeftError (bad CA bundle…): the Snapshot is then rejected.
   */
  readonly tlsConnector?: (cluster: ClusterConfig, snapshot: Snapshot) => UpstreamConnector;
  readonly random?: () => number;
  readonly parserFactory?: H1ParserFactory;
}

interface SharedPool {
  readonly key: string;
  readonly pool: ClusterPool;
  /** For raw (TCP proxy) connections: the cluster's endpoints, balancer and connector. */
  readonly raw: { readonly endpoints: readonly HostPort[]; readonly lb: LoadBalancer; readonly connector: UpstreamConnector; readonly connectTimeoutMs: number };
  refs: number;
}

/** The ClusterManager of one Snapshot. */
export class SnapshotClusters implements ClusterManager {
  private released = false;

  private constructor(private readonly pools: ReadonlyMap<string, SharedPool>) {}

  /**
   * Builds the clusters of `snapshot`, reusing the pools of `previous` whose cluster config (and
   * TLS secrets) are unchanged. Nothing is connected yet: endpoints are dialled on first use.
   */
  static build(snapshot: Snapshot, options: ClusterManagerOptions, previous?: SnapshotClusters): Result<SnapshotClusters, WeftError> {
    const pools = new Map<string, SharedPool>();
    const created: ClusterPool[] = [];
    const reused: SharedPool[] = [];
    const fail = (e: WeftError) => {
      for (const p of created) p.close();
      return err(e);
    };
    for (const cluster of snapshot.clusters) {
      const key = poolKey(cluster, snapshot);
      const prev = previous?.pools.get(cluster.name);
      if (prev !== undefined && prev.key === key && !previous!.released) {
        reused.push(prev);
        pools.set(cluster.name, prev);
        continue;
      }
      const factory = options.poolFactories?.[cluster.protocol] ?? (cluster.protocol === 'http1' ? createHttp1Pool : undefined);
      if (factory === undefined) {
        return fail(new WeftError('unsupported_cluster_protocol', `cluster "${cluster.name}": protocol ${cluster.protocol} is not available in this build`));
      }
      let connector: UpstreamConnector = tcpConnector;
      if (cluster.tls !== undefined) {
        if (options.tlsConnector === undefined) {
          return fail(new WeftError('tls_origination_unavailable', `cluster "${cluster.name}": TLS origination is not available in this build`));
        }
        try {
          connector = options.tlsConnector(cluster, snapshot);
        } catch (e) {
          return fail(e instanceof WeftError ? e : new WeftError('invalid_cluster_tls', `cluster "${cluster.name}": ${(e as Error).message}`, { cause: e }));
        }
      }
      const pool = factory(cluster, {
        logger: options.logger.child({ cluster: cluster.name }),
        metrics: options.metrics.cluster(cluster.name),
        connector,
        random: options.random,
        parserFactory: options.parserFactory,
      });
      created.push(pool);
      const raw = {
        endpoints: cluster.endpoints.map((e) => e.address),
        lb: createLoadBalancer(
          cluster.lb_policy,
          cluster.endpoints.map((e) => e.weight),
          { random: options.random },
        ),
        connector,
        connectTimeoutMs: cluster.connect_timeout,
      };
      pools.set(cluster.name, { key, pool, raw, refs: 1 });
    }
    for (const p of reused) p.refs++;
    return ok(new SnapshotClusters(pools));
  }

  get(name: string): ClusterPool | undefined {
    return this.pools.get(name)?.pool;
  }

  names(): string[] {
    return [...this.pools.keys()];
  }

  /**
   * Dials one endpoint of `cluster` for a raw byte stream (the TCP proxy): load-balanced like
   * its requests, through the cluster's connector (TLS when it originates TLS). Undefined when the
   * cluster does not exist or has no endpoint. Connection failures surface on the socket.
   */
  openConnection(cluster: string, hashKey?: string): { readonly upstream: UpstreamSocket; readonly address: string; readonly connectTimeoutMs: number } | undefined {
    const raw = this.pools.get(cluster)?.raw;
    if (raw === undefined) return undefined;
    const i = raw.lb.pick(hashKey);
    if (i === undefined) return undefined;
    const endpoint = raw.endpoints[i]!;
    return { upstream: raw.connector(endpoint), address: formatAddress(endpoint), connectTimeoutMs: raw.connectTimeoutMs };
  }

  /** Closes idle upstream connections (drain). */
  closeIdle(): void {
    for (const p of this.pools.values()) p.pool.closeIdle();
  }

  /**
   * This Snapshot's clusters are no longer used by anyone (it was replaced and its last stream
   * ended): pools that no other Snapshot shares are closed.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const p of this.pools.values()) {
      if (--p.refs === 0) p.pool.close();
    }
  }
}

/** Identity of a pool: its cluster config and the secrets its TLS settings name. */
function poolKey(cluster: ClusterConfig, snapshot: Snapshot): string {
  const tls = cluster.tls;
  const secrets = tls === undefined ? [] : snapshot.secrets.filter((s) => s.name === tls.ca || s.name === tls.client_certificate);
  return JSON.stringify([cluster, secrets]);
}
