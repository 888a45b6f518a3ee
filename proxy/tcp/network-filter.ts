// The TCP (L4) filter contract: filters on a TCP proxy connection see bytes in both directions.
import type { BodyBuffer } from '../http/body-buffer.js';
import type { FilterAction } from '../http/filter.js';
import type { ConnectionInfo } from '../http/stream-info.js';

export type PeerType = 'unknown' | 'local' | 'remote';

/**
 * One instance per downstream connection. Callbacks are synchronous and optional.
 * - `onNewConnection` Stop holds the connection (no upstream bytes flow) until `continue()`.
 * - `onDownstreamData` / `onUpstreamData` get every byte pending at this filter; Stop buffers
 *   them (the filter is called again with more), Continue passes them on. The filter MAY modify them.
 * - Close callbacks say which side closed and who closed it.
 */
export interface NetworkFilter {
  onNewConnection?(): FilterAction;
  onDownstreamData?(data: BodyBuffer, endOfStream: boolean): FilterAction;
  onUpstreamData?(data: BodyBuffer, endOfStream: boolean): FilterAction;
  onDownstreamClose?(peer: PeerType): void;
  onUpstreamClose?(peer: PeerType): void;
  /** The connection is over; called once. */
  onConnectionComplete?(): void;
}

export interface NetworkFilterCallbacks {
  readonly connection: ConnectionInfo;
  /** Upstream endpoint "host:port", once connected. */
  upstreamAddress(): string | undefined;
  /** Resume after Stop (both directions). */
  continue(): void;
  /** Close both sides. */
  close(): void;
}

export interface NetworkFilterFactory {
  readonly name: string;
  create(callbacks: NetworkFilterCallbacks): NetworkFilter;
  close?(): void;
}
