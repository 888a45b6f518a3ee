// The data plane's Prometheus metrics on a registry passed in. The hot path bumps plain numbers in
// cells resolved once per label set; prom-client sees them at scrape time (no label hashing per request).
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import { configAppliesCounter } from '../config/config-metrics.js';

const CODE_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'reset'] as const;

/** The request-counter index for a response status: 0 = 1xx … 4 = 5xx, 5 = no response was sent. */
export function codeClassIndex(status: number | undefined): number {
  if (status === undefined || status < 100 || status > 599) return 5;
  return ((status / 100) | 0) - 1;
}

/** A number the hot path changes; read at scrape time. */
export class GaugeCell {
  value = 0;
  inc(): void {
    this.value++;
  }
  dec(): void {
    this.value--;
  }
}

/** A monotonic count; `flushed` is what prom-client has already been told. */
export class CounterCell {
  value = 0;
  flushed = 0;
  inc(): void {
    this.value++;
  }
}

/** Requests of one (listener, route, cluster) by response class (see codeClassIndex). */
export class RequestCounters {
  readonly counts = new Float64Array(CODE_CLASSES.length);
  readonly flushed = new Float64Array(CODE_CLASSES.length);
  constructor(readonly labels: { readonly listener: string; readonly route: string; readonly cluster: string }) {}
  count(status: number | undefined): void {
    this.counts[codeClassIndex(status)]!++;
  }
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One label set of a histogram: per-bucket counts (last = above every bound), sum and count. */
export class HistogramCell {
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;
  observe(value: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && value > LATENCY_BUCKETS[i]!) i++;
    this.buckets[i]!++;
    this.sum += value;
    this.count++;
  }
}

export interface ListenerMetrics {
  readonly connectionsActive: GaugeCell;
  readonly connectionsTotal: CounterCell;
  /** The request counters of a route and cluster of this listener ("" for none); resolved once, then cached. */
  requests(route: string, cluster: string): RequestCounters;
}

export interface ClusterMetrics {
  readonly upstreamDuration: HistogramCell;
  readonly connectionsActive: GaugeCell;
}

/**
 * Defines every data-plane metric on `registry`:
 * - weft_http_requests_total{listener,route,cluster,code_class} ("reset": no response was sent)
 * - weft_http_upstream_duration_seconds{cluster} (histogram: request start to last response byte)
 * - weft_downstream_connections_active{listener}, weft_downstream_connections_total{listener}
 * - weft_upstream_connections_active{cluster}
 * - weft_config_version_info{version} (1 for the live version), weft_config_applies_total{result}
 */
export class ProxyMetrics {
  private readonly versionInfo: Gauge<'version'>;
  private readonly applies: Counter<'result'>;
  private readonly listeners = new Map<string, ListenerMetrics & { readonly byRoute: Map<string, Map<string, RequestCounters>> }>();
  private readonly clusters = new Map<string, ClusterMetrics>();

  constructor(readonly registry: Registry) {
    const registers = [registry];
    const listeners = this.listeners;
    const clusters = this.clusters;
    new Counter({
      name: 'weft_http_requests_total',
      help: 'HTTP requests by listener, route, cluster and response class ("reset": no response was sent).',
      labelNames: ['listener', 'route', 'cluster', 'code_class'],
      registers,
      collect() {
        for (const l of listeners.values()) {
          for (const byCluster of l.byRoute.values()) {
            for (const c of byCluster.values()) {
              for (let i = 0; i < CODE_CLASSES.length; i++) {
                const delta = c.counts[i]! - c.flushed[i]!;
                if (delta > 0) {
                  this.inc({ ...c.labels, code_class: CODE_CLASSES[i]! }, delta);
                  c.flushed[i] = c.counts[i]!;
                }
              }
            }
          }
        }
      },
    });
    registry.registerMetric(new CellHistogram('weft_http_upstream_duration_seconds', 'Time from sending a request upstream to its last response byte.', 'cluster', () =>
      [...clusters].map(([name, m]) => [name, m.upstreamDuration] as const),
    ) as unknown as Metric);
    new Gauge({
      name: 'weft_downstream_connections_active',
      help: 'Open downstream connections by listener.',
      labelNames: ['listener'],
      registers,
      collect() {
        for (const [name, l] of listeners) this.set({ listener: name }, l.connectionsActive.value);
      },
    });
    new Counter({
      name: 'weft_downstream_connections_total',
      help: 'Downstream connections accepted by listener.',
      labelNames: ['listener'],
      registers,
      collect() {
        for (const [name, l] of listeners) {
          const c = l.connectionsTotal;
          if (c.value > c.flushed) {
            this.inc({ listener: name }, c.value - c.flushed);
            c.flushed = c.value;
          }
        }
      },
    });
    new Gauge({
      name: 'weft_upstream_connections_active',
      help: 'Open upstream connections by cluster.',
      labelNames: ['cluster'],
      registers,
      collect() {
        for (const [name, c] of clusters) this.set({ cluster: name }, c.connectionsActive.value);
      },
    });
    this.versionInfo = new Gauge({
      name: 'weft_config_version_info',
      help: 'The Snapshot version being served (value 1).',
      labelNames: ['version'],
      registers,
      // With workers, each reports 1 for the version it serves: the aggregate stays 1, not N.
      aggregator: 'max',
    });
    this.applies = configAppliesCounter(registry);
  }

  listener(name: string): ListenerMetrics {
    let m = this.listeners.get(name);
    if (m === undefined) {
      const byRoute = new Map<string, Map<string, RequestCounters>>();
      m = {
        byRoute,
        connectionsActive: new GaugeCell(),
        connectionsTotal: new CounterCell(),
        requests(route: string, cluster: string): RequestCounters {
          let byCluster = byRoute.get(route);
          if (byCluster === undefined) byRoute.set(route, (byCluster = new Map()));
          let counters = byCluster.get(cluster);
          if (counters === undefined) byCluster.set(cluster, (counters = new RequestCounters({ listener: name, route, cluster })));
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
      m = { upstreamDuration: new HistogramCell(), connectionsActive: new GaugeCell() };
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

/** A histogram metric whose label sets live in HistogramCells (prom-client's metric shape, read at scrape time). */
class CellHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly label: string,
    private readonly cells: () => readonly (readonly [string, HistogramCell])[],
  ) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: { labels: Record<string, string | number>; value: number; metricName: string }[] }> {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const [labelValue, cell] of this.cells()) {
      let acc = 0;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        acc += cell.buckets[i]!;
        values.push({ labels: { [this.label]: labelValue, le: LATENCY_BUCKETS[i]! }, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { [this.label]: labelValue, le: '+Inf' }, value: cell.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { [this.label]: labelValue }, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { [this.label]: labelValue }, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const [, cell] of this.cells()) {
      cell.buckets.fill(0);
      cell.sum = 0;
      cell.count = 0;
    }
  }
}
