// How long a drain may take: the longest drain_timeout of the Snapshot's HTTP listeners.
import type { Snapshot } from '../../api/snapshot/index.js';

/** Used when no HTTP listener states a drain_timeout (the schema's default). */
export const DEFAULT_DRAIN_MS = 15_000;

export function drainTimeout(snapshot: Snapshot | undefined): number {
  const timeouts = snapshot?.listeners.flatMap((l) => (l.http ? [l.http.drain_timeout] : [])) ?? [];
  return timeouts.length > 0 ? Math.max(...timeouts) : DEFAULT_DRAIN_MS;
}
