// The row seam: each row of the table (direct, Weft, a peer proxy) is a Target that starts on core 1 in front of the origin.
import type { Protocol } from '../system/net.js';
import type { ProcessGroup } from '../system/processes.js';
import type { Upstream } from '../upstream/upstream.js';

/** Row names the JSON report promises (checks outside the repo rely on them). */
export const ROW_NAMES = ['direct', 'weft', 'http-proxy', 'fastify-http-proxy', 'nginx'] as const;
export type RowName = (typeof ROW_NAMES)[number];

/** Work done once per bench run and shared by every case and row that asks (building Wasm modules). */
export class RunMemo {
  /** A directory that lives as long as the run. */
  readonly dir: string;
  private readonly done = new Map<string, Promise<unknown>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The result of `make()`, made by the first caller with this key. */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.done.get(key) as Promise<T> | undefined;
    if (!p) this.done.set(key, (p = make()));
    return p;
  }
}

export interface PatchContext {
  /** The Weft instance's own directory. */
  readonly dir: string;
  readonly memo: RunMemo;
}

/**
 * A change to Weft's generated config (the raw weft.yaml object) for a case variant, e.g. a Wasm
 * filter chain. Returns the config to use; the input is a fresh object it may mutate.
 */
export type WeftConfigPatch = (config: Record<string, unknown>, ctx: PatchContext) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface TargetEnv {
  readonly group: ProcessGroup;
  readonly upstream: Upstream;
  /** A fresh directory for this instance's config and logs. */
  readonly dir: string;
  readonly protocol: Protocol;
  /** Path and body size the readiness probe checks. */
  readonly probePath: string;
  readonly probeBytes: number;
  readonly weftPatch?: WeftConfigPatch;
  readonly memo: RunMemo;
}

export interface RunningTarget {
  /** Root of the process tree whose CPU and RSS the row reports (the origin's, for `direct`). */
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * One row. `start` returns once the target answers the probe through to the origin (so warm-up
 * measures a working path); it rejects with a message worth printing when it cannot.
 */
export interface Target {
  readonly name: RowName;
  /** Runs on a JIT (V8): needs a warm-up before it is measured. `--quick` warms up only these. */
  readonly jit: boolean;
  /** Why it cannot run on this machine (e.g. nginx not installed), or undefined. */
  unavailable(): string | undefined;
  /** Versions for the report header, e.g. { 'http-proxy': '1.18.1' }. */
  versions(): Record<string, string>;
  /** Why it cannot serve `protocol` downstream ("n/a" rows), or undefined. */
  unsupported(protocol: Protocol): string | undefined;
  start(env: TargetEnv): Promise<RunningTarget>;
}
