// What the Wasm host needs from the proxy around it: logs, metrics, clusters, shared data, node identity.
import type { Logging } from '../../lib/log.js';
import type { HostClock } from './clock.js';
import type { ClusterManager } from '../upstream/types.js';
import type { WasmMetrics } from './metrics.js';
import type { SharedDataStore } from './shared-data.js';

/** A host function a module can call with proxy_call_foreign_function. Returns the result bytes, or undefined for NotFound-free "no result". */
export type ForeignFunction = (args: Uint8Array) => Uint8Array | undefined;

export interface NodeInfo {
  readonly id: string;
  readonly service?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Shared by every VM of one PluginManager (one worker). */
export interface HostServices {
  readonly logging: Logging;
  readonly metrics: WasmMetrics;
  /** The clusters callouts may target (the current Snapshot's), if the proxy has any. */
  clusters(): ClusterManager | undefined;
  readonly sharedData: SharedDataStore;
  node(): NodeInfo | undefined;
  readonly foreignFunctions: ReadonlyMap<string, ForeignFunction>;
  /** Clocks and tick timers; default SYSTEM_CLOCK. The SDK test harness passes a clock it advances by hand. */
  readonly clock?: HostClock;
  /** Fills `out` with random bytes (WASI random_get); default crypto.randomFillSync. */
  readonly random?: (out: Uint8Array) => void;
}
