// IPC messages between the primary and its worker processes (node:cluster channel, structured clone).
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Snapshot } from '../../api/snapshot/index.js';
import type { LogLevel } from '../../lib/log.js';

/** Primary -> worker. Every message carries `weft` so other users of the channel can tell them apart. */
export type ToWorker =
  | { readonly weft: 'apply'; readonly seq: number; readonly snapshot: Snapshot }
  | { readonly weft: 'drain'; readonly timeoutMs: number }
  | { readonly weft: 'log-level'; readonly component: string; readonly level: LogLevel }
  | { readonly weft: 'metrics'; readonly id: number };

/** Worker -> primary. */
export type FromWorker =
  /** The data plane exists; send it a Snapshot. */
  | { readonly weft: 'up' }
  | { readonly weft: 'applied'; readonly seq: number; readonly version: string; readonly listeners: Record<string, string> }
  | { readonly weft: 'apply-failed'; readonly seq: number; readonly code: string; readonly message: string }
  | { readonly weft: 'metrics'; readonly id: number; readonly metrics: MetricObjectWithValues<MetricValue<string>>[] }
  /** The worker could not start (e.g. its data plane could not be created); it exits next. */
  | { readonly weft: 'failed'; readonly message: string };

export function isFromWorker(m: unknown): m is FromWorker {
  return typeof m === 'object' && m !== null && typeof (m as { weft?: unknown }).weft === 'string';
}

export function isToWorker(m: unknown): m is ToWorker {
  return typeof m === 'object' && m !== null && typeof (m as { weft?: unknown }).weft === 'string';
}

/** Environment variables a worker reads at start. */
export const WORKER_ENV = {
  /** 1..N: the worker's slot (a restarted worker keeps its slot). */
  id: 'WEFT_WORKER_ID',
  /** JSON `{component: level}` of runtime level changes made before this worker started. */
  levels: 'WEFT_WORKER_LOG_LEVELS',
} as const;
