// Layer 1, metrics: define, record, increment, read.
import { MetricType, Status } from "../abi/enums";
import { proxy_define_metric, proxy_get_metric, proxy_increment_metric, proxy_record_metric } from "../abi/host";
import { argLen, argMark, argRelease, argString, RET_U32, RET_U64 } from "../abi/memory";
import { record } from "../abi/status";

/** Sentinel id of a metric the host refused to define. */
export const INVALID_METRIC_ID: u32 = 0xffffffff;

/** `proxy_define_metric`: the new metric's id, or `INVALID_METRIC_ID` (see `lastStatus()`). */
export function defineMetric(type: MetricType, name: string): u32 {
  const mark = argMark();
  const n = argString(name);
  store<u32>(RET_U32, INVALID_METRIC_ID);
  const s = record(proxy_define_metric(type, n, argLen, RET_U32));
  argRelease(mark);
  return s == Status.Ok ? load<u32>(RET_U32) : INVALID_METRIC_ID;
}

/** `proxy_record_metric`: sets a gauge or records a histogram sample. */
export function recordMetric(metricId: u32, value: u64): Status {
  return record(proxy_record_metric(metricId, value));
}

/** `proxy_increment_metric`: adds `delta` (negative only for gauges). */
export function incrementMetric(metricId: u32, delta: i64): Status {
  return record(proxy_increment_metric(metricId, delta));
}

/** `proxy_get_metric`: the current value; 0 on error (see `lastStatus()`). */
export function getMetric(metricId: u32): u64 {
  store<u64>(RET_U64, 0);
  const s = record(proxy_get_metric(metricId, RET_U64));
  return s == Status.Ok ? load<u64>(RET_U64) : 0;
}
