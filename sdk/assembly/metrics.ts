// Metrics: counters, gauges and histograms defined on the host (Weft exports them on /stats/prometheus).
import { MetricType, Status } from "./abi/enums";
import { defineMetric, getMetric, incrementMetric, INVALID_METRIC_ID, recordMetric } from "./hostcalls/metrics";
import { lastStatus, record as recordStatus } from "./abi/status";

/** A metric the host defined; `defined` is false when it refused (see `defineStatus`). */
export class Metric {
  readonly id: u32;
  readonly defineStatus: Status;
  constructor(readonly type: MetricType, readonly name: string) {
    this.id = defineMetric(type, name);
    this.defineStatus = lastStatus();
  }
  get defined(): bool {
    return this.id != INVALID_METRIC_ID;
  }
}

/**
 * A monotonically increasing count. Define metrics once (in `onVmStart` or `onConfigure`).
 *
 * @example
 * this.denied = new Counter("auth_denied_total");
 * this.denied.increment();
 */
export class Counter extends Metric {
  constructor(name: string) {
    super(MetricType.Counter, name);
  }
  increment(delta: u64 = 1): Status {
    if (!this.defined) return recordStatus(Status.NotFound);
    return incrementMetric(this.id, <i64>delta);
  }
  /** The current value (0 when unavailable). */
  value(): u64 {
    return this.defined ? getMetric(this.id) : 0;
  }
}

/**
 * A value that goes up and down.
 *
 * @example
 * const inflight = new Gauge("inflight_requests");
 * inflight.add(1);   // on request
 * inflight.add(-1);  // in onDone
 */
export class Gauge extends Metric {
  constructor(name: string) {
    super(MetricType.Gauge, name);
  }
  set(value: i64): Status {
    if (!this.defined) return recordStatus(Status.NotFound);
    return recordMetric(this.id, <u64>value);
  }
  add(delta: i64): Status {
    if (!this.defined) return recordStatus(Status.NotFound);
    return incrementMetric(this.id, delta);
  }
  value(): i64 {
    return this.defined ? <i64>getMetric(this.id) : 0;
  }
}

/**
 * A distribution of samples (e.g. latencies in milliseconds).
 *
 * @example
 * const latency = new Histogram("upstream_latency_ms");
 * latency.record(elapsedMs);
 */
export class Histogram extends Metric {
  constructor(name: string) {
    super(MetricType.Histogram, name);
  }
  record(value: u64): Status {
    if (!this.defined) return recordStatus(Status.NotFound);
    return recordMetric(this.id, value);
  }
}
