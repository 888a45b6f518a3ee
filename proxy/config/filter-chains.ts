// The seam between the apply path and whatever builds filters (Wasm plugins today, built-ins later).
import type { Snapshot } from '../../api/snapshot/index.js';
import type { HttpFilterFactory } from '../http/filter.js';
import type { NetworkFilterFactory } from '../tcp/network-filter.js';

/**
 * The filters of one Snapshot, ready to run. Chain order is final (priority applied).
 * Factories stay valid until `release()`, which the apply path calls after the Snapshot is
 * replaced AND its last stream and connection have ended (in-flight work keeps its version).
 */
export interface PreparedFilterChains {
  http(chain: string): readonly HttpFilterFactory[];
  network(chain: string): readonly NetworkFilterFactory[];
  release(): void;
}

/**
 * Builds the filters of a Snapshot. `prepare` may be slow (compile modules, start VMs, run
 * on_vm_start / on_configure) and rejects with a WeftError when the Snapshot cannot run
 * (a module that does not compile, on_configure returning false): the apply path then NACKs
 * and keeps the previous Snapshot. `previous` lets the builder reuse what did not change
 * (same module and config: same VM), so unrelated updates do not restart plugins.
 */
export interface FilterChainBuilder {
  prepare(next: Snapshot, previous: PreparedFilterChains | undefined): Promise<PreparedFilterChains>;
  /** Stop everything (process shutdown). */
  close(): Promise<void>;
}

/** Builds no filters: for Snapshots without plugins and for tests of the bare data plane. */
export const emptyFilterChains: PreparedFilterChains = Object.freeze({
  http: () => [],
  network: () => [],
  release: () => {},
});
