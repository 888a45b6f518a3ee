// Hooks other parts of the proxy run when processes start (e.g. the Wasm host's cross-worker shared data).
import type { Logging } from '../../lib/log.js';

export interface PrimaryStartContext {
  readonly logging: Logging;
  /** Number of worker processes about to be forked (2 or more: with one, there is no primary). */
  readonly workers: number;
}

export interface PrimaryStartResult {
  /** Environment variables every worker gets (e.g. the path of a socket the hook serves). */
  readonly env?: Readonly<Record<string, string>>;
  /** Runs after every worker has exited. */
  readonly close?: () => Promise<void>;
}

export interface WorkerStartContext {
  readonly logging: Logging;
  /** 1..N with workers; 0 when the proxy runs in one process. */
  readonly workerId: number;
  /** The process environment (with workers: including what `onPrimaryStart` hooks returned). */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Process lifecycle hooks. `onPrimaryStart` runs once in the primary before workers are forked
 * (only with --workers 2 or more); `onWorkerStart` runs in every process that hosts a data plane,
 * before the data plane is created (with --workers 1: once, in the only process, and no
 * `onPrimaryStart` ran, so the hook should pick its in-process variant). A hook that throws stops
 * the start: the proxy exits 1 with its message.
 */
export interface ProcessHooks {
  readonly name: string;
  onPrimaryStart?(ctx: PrimaryStartContext): Promise<PrimaryStartResult | void>;
  onWorkerStart?(ctx: WorkerStartContext): Promise<{ close?: () => Promise<void> } | void>;
}
