// Host metrics of the Wasm runtime and the metrics plugins define (proxy_define_metric), on a prom-client registry.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MetricType, Status } from './abi.js';

/** Buckets for plugin histograms: values are unitless integers (counts, bytes, microseconds…). */
const CUSTOM_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 10_000_000];

interface CustomMetric {
  readonly type: MetricType;
  readonly plugin: string;
  readonly name: string;
  readonly prom: Counter<'plugin'> | Gauge<'plugin'> | Histogram<'plugin'>;
  /** Counter total or gauge value; for a histogram, the sum of the samples. */
  value: number;
  /** Samples recorded (histograms). */
  count: number;
}

/** One metric a plugin defined, as `WasmMetrics.definedBy` reports it (for tests and tools). */
export interface PluginMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** Counter total, gauge value, or the sum of a histogram's samples. */
  readonly value: number;
  /** Samples recorded (histograms; 0 otherwise). */
  readonly count: number;
}

const TYPE_NAMES = ['counter', 'gauge', 'histogram'] as const;

/**
 * Metrics of one PluginManager. Host metrics: `weft_wasm_traps_total{plugin}`,
 * `weft_wasm_vm_restarts_total{plugin}`, `weft_wasm_active_vms{plugin}`. A metric a plugin
 * defines as `name` is exported as `weft_wasm_<name>` (characters Prometheus does not allow
 * become `_`) with the plugin's name as the `plugin` label.
 */
export class WasmMetrics {
  readonly registry: Registry;
  private readonly traps: Counter<'plugin'>;
  private readonly restarts: Counter<'plugin'>;
  private readonly activeVms: Gauge<'plugin'>;
  private readonly proms = new Map<string, { type: MetricType; prom: CustomMetric['prom']; members: CustomMetric[] }>();
  private readonly custom = new Map<number, CustomMetric>();
  private readonly byKey = new Map<string, number>();
  private nextId = 1;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    this.traps = this.hostMetric('weft_wasm_traps_total', () => new Counter({ name: 'weft_wasm_traps_total', help: 'Wasm VMs that trapped (and were stopped), by plugin.', labelNames: ['plugin'], registers: [registry] }));
    this.restarts = this.hostMetric('weft_wasm_vm_restarts_total', () => new Counter({ name: 'weft_wasm_vm_restarts_total', help: 'Wasm VMs replaced after a failure (fail_strategy: reload), by plugin.', labelNames: ['plugin'], registers: [registry] }));
    this.activeVms = this.hostMetric('weft_wasm_active_vms', () => new Gauge({ name: 'weft_wasm_active_vms', help: 'Wasm VMs running, by plugin.', labelNames: ['plugin'], registers: [registry] }));
  }

  private hostMetric<T>(name: string, make: () => T): T {
    return (this.registry.getSingleMetric(name) as T | undefined) ?? make();
  }

  trap(plugin: string): void {
    this.traps.inc({ plugin });
  }

  restart(plugin: string): void {
    this.restarts.inc({ plugin });
  }

  vmStarted(plugin: string): void {
    this.activeVms.inc({ plugin });
  }

  vmStopped(plugin: string): void {
    this.activeVms.dec({ plugin });
  }

  /** proxy_define_metric. The same (plugin, type, name) always gets the same id. */
  define(plugin: string, type: number, name: string): { status: Status; id: number } {
    if (type !== MetricType.Counter && type !== MetricType.Gauge && type !== MetricType.Histogram) return { status: Status.BadArgument, id: 0 };
    const key = `${plugin}\0${type}\0${name}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) return { status: Status.Ok, id: existing };
    let promName = `weft_wasm_${name.replace(/[^a-zA-Z0-9_:]/g, '_')}`;
    let entry = this.proms.get(promName);
    if (entry && entry.type !== type) {
      promName = `${promName}_${['counter', 'gauge', 'histogram'][type]}`;
      entry = this.proms.get(promName);
    }
    if (!entry) {
      const help = `Defined by a Wasm plugin as "${name}".`;
      const labelNames = ['plugin'] as const;
      // Counters and gauges are kept as plain numbers (CustomMetric.value) on the hostcall path and
      // copied into prom-client when it collects: a labelled prom-client update costs ~100 ns.
      const members: CustomMetric[] = [];
      const prom =
        type === MetricType.Counter
          ? new Counter({
              name: promName,
              help,
              labelNames,
              registers: [],
              collect(this: Counter<'plugin'>) {
                this.reset();
                for (const m of members) this.inc({ plugin: m.plugin }, m.value);
              },
            })
          : type === MetricType.Gauge
            ? new Gauge({
                name: promName,
                help,
                labelNames,
                registers: [],
                collect(this: Gauge<'plugin'>) {
                  for (const m of members) this.set({ plugin: m.plugin }, m.value);
                },
              })
            : new Histogram({ name: promName, help, labelNames, buckets: CUSTOM_BUCKETS, registers: [] });
      if (!this.registry.getSingleMetric(promName)) this.registry.registerMetric(prom);
      entry = { type: type as MetricType, prom, members };
      this.proms.set(promName, entry);
    }
    const id = (this.nextId++ << 2) | type;
    const metric: CustomMetric = { type: type as MetricType, plugin, name, prom: entry.prom, value: 0, count: 0 };
    entry.members.push(metric);
    this.custom.set(id, metric);
    this.byKey.set(key, id);
    return { status: Status.Ok, id };
  }

  /** proxy_increment_metric: counters only go up (delta <= 0 is BadArgument); histograms cannot be incremented. */
  increment(id: number, delta: bigint): Status {
    const m = this.custom.get(id);
    if (!m) return (id & 3) <= 2 ? Status.NotFound : Status.BadArgument;
    const d = Number(delta);
    if (m.type === MetricType.Counter) {
      if (d <= 0) return Status.BadArgument;
      m.value += d;
      return Status.Ok;
    }
    if (m.type === MetricType.Gauge) {
      m.value += d;
      return Status.Ok;
    }
    return Status.BadArgument;
  }

  /** proxy_record_metric: adds to a counter, sets a gauge, observes into a histogram. */
  record(id: number, value: bigint): Status {
    const m = this.custom.get(id);
    if (!m) return Status.NotFound;
    const v = Number(BigInt.asUintN(64, value));
    if (m.type === MetricType.Counter) {
      m.value += v;
    } else if (m.type === MetricType.Gauge) {
      m.value = v;
    } else {
      m.value += v;
      m.count++;
      (m.prom as Histogram<'plugin'>).observe({ plugin: m.plugin }, v);
    }
    return Status.Ok;
  }

  /** The metrics `plugin` defined, in definition order, with their current values. */
  definedBy(plugin: string): PluginMetric[] {
    const out: PluginMetric[] = [];
    for (const m of this.custom.values()) {
      if (m.plugin === plugin) out.push({ name: m.name, type: TYPE_NAMES[m.type]!, value: m.value, count: m.count });
    }
    return out;
  }

  /** proxy_get_metric: counters and gauges; a histogram has no single value (BadArgument). */
  get(id: number): { status: Status; value: bigint } {
    const m = this.custom.get(id);
    if (!m) return { status: Status.NotFound, value: 0n };
    if (m.type === MetricType.Histogram) return { status: Status.BadArgument, value: 0n };
    return { status: Status.Ok, value: BigInt.asUintN(64, BigInt(Math.trunc(m.value))) };
  }
}
