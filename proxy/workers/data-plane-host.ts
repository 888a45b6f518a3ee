// Sets up one process's data plane: process hooks, a metrics registry, then the data plane itself.
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logging } from '../../lib/log.js';
import type { DataPlane } from '../data-plane.js';
import type { ProcessHooks } from './hooks.js';

export interface DataPlaneDeps {
  readonly logging: Logging;
  /** The process's registry: the data plane defines its metrics here. */
  readonly metrics: Registry;
  /** 1..N with workers, 0 in a single-process proxy. */
  readonly workerId: number;
}

/** A data plane and what it was built with (filter-chain builders), released by `close`. */
export interface ProcessDataPlane {
  readonly dataPlane: DataPlane;
  /** After the data plane has drained and closed: releases the rest (plugin VMs…). */
  close(): Promise<void>;
}

export type DataPlaneFactory = (deps: DataPlaneDeps) => Promise<ProcessDataPlane>;

export interface HostedDataPlane {
  readonly dataPlane: DataPlane;
  readonly registry: Registry;
  /** Releases the data plane's helpers and the hooks, in reverse order of creation. */
  close(): Promise<void>;
}

/**
 * Runs every `onWorkerStart` hook, creates the registry (with Node's process metrics) unless one is
 * given, then the data plane. On failure, what was already set up is released before rethrowing.
 */
export async function hostDataPlane(options: {
  logging: Logging;
  workerId: number;
  hooks: readonly ProcessHooks[];
  factory: DataPlaneFactory;
  registry?: Registry;
}): Promise<HostedDataPlane> {
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (e) {
        options.logging.logger('proxy').warn({ err: (e as Error).message }, 'error while closing');
      }
    }
  };
  try {
    for (const hook of options.hooks) {
      const r = await hook.onWorkerStart?.({ logging: options.logging, workerId: options.workerId, env: process.env });
      if (r?.close) closers.push(r.close);
    }
    const registry = options.registry ?? processRegistry();
    const hosted = await options.factory({ logging: options.logging, metrics: registry, workerId: options.workerId });
    closers.push(() => hosted.close());
    return { dataPlane: hosted.dataPlane, registry, close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/** A registry with Node's process metrics (CPU, memory, event loop lag, GC), aggregated sensibly across workers. */
export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
