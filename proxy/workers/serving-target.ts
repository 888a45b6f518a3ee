// What the process that owns the config and the admin drives: one in-process data plane, or a pool of workers.
import type { Snapshot } from '../../api/snapshot/index.js';
import type { LogLevel } from '../../lib/log.js';
import type { WorkerStatus } from '../admin/admin-server.js';

export interface ServingTarget {
  /** First Snapshot: resolves when every data plane serves it; rejects (the proxy cannot start) otherwise. */
  start(snapshot: Snapshot): Promise<void>;
  /**
   * A new Snapshot for every data plane. Resolves when at least one applied it (a data plane that
   * failed keeps its previous Snapshot, and that is logged); rejects when none did (nothing changed).
   */
  apply(snapshot: Snapshot): Promise<void>;
  /** At least one data plane serves and none is still starting for the first time. */
  serving(): boolean;
  listeners(): Record<string, string>;
  workers(): readonly WorkerStatus[];
  metrics(): Promise<{ contentType: string; body: string }>;
  setLogLevel(component: string, level: LogLevel): void;
  logLevels(): Record<string, string>;
  /** Stop accepting, let in-flight requests finish (up to `timeoutMs`), release everything. */
  drain(timeoutMs: number): Promise<void>;
  /** Stop everything now (a second SIGTERM). */
  kill(): void;
}
