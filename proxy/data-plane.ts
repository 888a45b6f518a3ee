// The data plane as operations see it: apply Snapshots, drain, close. Config sources and the CLI drive it.
import type { Snapshot } from '../api/snapshot/index.js';

export interface ApplyResult {
  readonly version: string;
  /** Listeners that were opened, closed or kept, by name (for logs). */
  readonly listeners: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly kept: readonly string[] };
}

/**
 * One proxy's data plane (one per worker process).
 *
 * - `apply` swaps the whole Snapshot atomically: new streams and connections use it, streams
 *   already in flight finish on the Snapshot they started with. It rejects (with a WeftError
 *   naming what failed: a port in use, a plugin that does not compile…) and changes NOTHING when
 *   the Snapshot cannot be applied — the previous one keeps serving.
 * - Listeners whose address is unchanged keep their sockets across applies (no connection drops).
 * - `drain` stops accepting, lets in-flight requests finish (HTTP/1 answers with Connection: close,
 *   HTTP/2 sends GOAWAY), closes idle connections, and resolves when none are left or after
 *   `timeoutMs` (then remaining connections are closed).
 */
export interface DataPlane {
  apply(snapshot: Snapshot): Promise<ApplyResult>;
  readonly snapshot: Snapshot | undefined;
  readonly draining: boolean;
  drain(timeoutMs: number): Promise<void>;
  /** Close everything now. */
  close(): Promise<void>;
  /** Bound listener addresses by listener name (resolves port 0), for tests and logs. */
  addresses(): ReadonlyMap<string, { host: string; port: number }>;
}
