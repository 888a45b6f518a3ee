// The data plane's Prometheus metrics (prom-client), registered on a registry passed in; labeled children resolved once.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Counters of one (listener, route, cluster) by response class: index 0 = 1xx … 4 = 5xx, 5 = reset before a response. */
export type RequestCounters = readonly Counter.Internal[];

const CODE_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'reset'] as const;

/** The counter index for a response status (0 when no response was sent). */
export function codeClassIndex(status: number | undefined): number {
  if (status === undefined || status < 100 || status > 599) return 5;
  return ((status / 100) | 0) - 1;
}

export interface ListenerMetrics {
  readonly connectionsActive: Gauge.Internal<string>;
  readonly connectionsTotal: Counter.Internal;
  /** Request counters of a route and cluster of this listener ("" for none), resolved once and cached. */
  requests(route: string, cluster: string): RequestCounters;
}

export interface ClusterMetrics {
  readonly upstreamDuration: Histogram.Internal<string>;
  readonly connectionsActive: Gauge.Internal<string>;
}

/**
 * Defines every data-plane metric on `registry`:
 * - weft_http_requests_total{listener,route,cluster,code_class}
 * - weft_http_upstream_duration_seconds{cluster} (request start to last response byte)
 * - weft_downstream_connections_active{listener}, weft_downstream_connections_total{listener}
 * - weft_upstream_connections_active{cluster}
 * - weft_config_version_info{version} (1 for the live version), weft_config_applies_total{result}
 */
export class ProxyMetrics {
  private readonly requestsTotal: Counter<'listener' | 'route' | 'cluster' | 'code_class'>;
  private readonly upstreamDuration: Histogram<'cluster'>;
  private readonly downstreamActive: Gauge<'listener'>;
  private readonly downstreamTotal: Counter<'listener'>;
  private readonly upstreamActive: Gauge<'cluster'>;
  private readonly versionInfo: Gauge<'version'>;
  private readonly applies: Counter<'result'>;
  private readonly listeners = new Map<string, ListenerMetrics>();
  private readonly clusters = new Map<string, ClusterMetrics>();

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.requestsTotal = new Counter({
      name: 'weft_http_requests_total',
      help: 'HTTP requests by listener, route, cluster and response class ("reset": no response was sent).',
      labelNames: ['listener', 'route', 'cluster', 'code_class'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'weft_http_upstream_duration_seconds',
      help: 'Time from sending a request upstream to its last response byte.',
      labelNames: ['cluster'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.downstreamActive = new Gauge({
      name: 'weft_downstream_connections_active',
      help: 'Open downstream connections by listener.',
      labelNames: ['listener'],
      registers,
    });
    this.downstreamTotal = new Counter({
      name: 'weft_downstream_connections_total',
      help: 'Downstream connections accepted by listener.',
      labelNames: ['listener'],
      registers,
    });
    this.upstreamActive = new Gauge({
      name: 'weft_upstream_connections_active',
      help: 'Open upstream connections by cluster.',
      labelNames: ['cluster'],
      registers,
    });
    this.versionInfo = new Gauge({
      name: 'weft_config_version_info',
      help: 'The Snapshot version being served (value 1).',
      labelNames: ['version'],
      registers,
    });
    this.applies = new Counter({
      name: 'weft_config_applies_total',
      help: 'Snapshot applies by result (ok, rejected).',
      labelNames: ['result'],
      registers,
    });
  }

  listener(name: string): ListenerMetrics {
    let m = this.listeners.get(name);
    if (m === undefined) {
      const byRoute = new Map<string, Map<string, RequestCounters>>();
      const requestsTotal = this.requestsTotal;
      m = {
        connectionsActive: this.downstreamActive.labels(name),
        connectionsTotal: this.downstreamTotal.labels(name),
        requests(route: string, cluster: string): RequestCounters {
          let byCluster = byRoute.get(route);
          if (byCluster === undefined) byRoute.set(route, (byCluster = new Map()));
          let counters = byCluster.get(cluster);
          if (counters === undefined) {
            counters = CODE_CLASSES.map((c) => requestsTotal.labels(name, route, cluster, c));
            byCluster.set(cluster, counters);
          }
          return counters;
        },
      };
      this.listeners.set(name, m);
    }
    return m;
  }

  cluster(name: string): ClusterMetrics {
    let m = this.clusters.get(name);
    if (m === undefined) {
      m = { upstreamDuration: this.upstreamDuration.labels(name), connectionsActive: this.upstreamActive.labels(name) };
      this.clusters.set(name, m);
    }
    return m;
  }

  configApplied(version: string): void {
    this.versionInfo.reset();
    this.versionInfo.labels(version).set(1);
    this.applies.labels('ok').inc();
  }

  configRejected(): void {
    this.applies.labels('rejected').inc();
  }
}
