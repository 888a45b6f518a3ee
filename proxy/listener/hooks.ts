// The seams where other protocol implementations plug into listeners: TLS termination, HTTP/2, the TCP proxy.
import type { Socket } from 'node:net';
import type { Listener as ListenerConfig, Snapshot, TcpListenerConfig } from '../../api/snapshot/index.js';
import type { Logger } from '../../lib/log.js';
import type { PreparedFilterChains } from '../config/filter-chains.js';
import type { ServerConnection, ServerConnectionCallbacks } from '../http/codec.js';
import type { SnapshotLease } from '../http/connection-manager.js';
import type { Http1ServerOptions } from '../http/h1-server.js';
import type { ConnectionInfo, TlsInfo } from '../http/stream-info.js';
import type { TcpListenerMetrics } from '../tcp/tcp-metrics.js';
import type { SnapshotClusters } from '../upstream/cluster-manager.js';

/** Options of a downstream HTTP codec (HTTP/1 uses all of them; an HTTP/2 codec the ones that apply). */
export type HttpCodecOptions = Http1ServerOptions;

/**
 * Serves one connection with a server codec. `initialData` holds bytes already read from the
 * socket (protocol detection). The codec reports streams to `callbacks`.
 */
export type ServeHttp = (
  socket: Socket,
  callbacks: ServerConnectionCallbacks,
  info: ConnectionInfo,
  options: HttpCodecOptions,
  initialData?: Buffer,
) => ServerConnection;

/**
 * TLS termination for one listener under one Snapshot (certificates loaded once). `accept` wraps
 * an accepted TCP socket and calls `onReady` after a successful handshake with the TLS socket
 * and what was negotiated (`info.alpn` picks HTTP/2 or HTTP/1.1); on a failed handshake it
 * destroys the socket and does not call `onReady`.
 */
export interface TlsTerminator {
  accept(socket: Socket, onReady: (tlsSocket: Socket, info: TlsInfo) => void): void;
}

/** Builds the TLS terminator of a listener with `tls` (throw a WeftError to reject the Snapshot). */
export type TlsTerminatorFactory = (listener: ListenerConfig, snapshot: Snapshot) => TlsTerminator;

/** What a TCP (L4) proxy connection gets from its listener under the current Snapshot. */
export interface TcpProxyContext {
  readonly config: TcpListenerConfig;
  readonly clusters: SnapshotClusters;
  readonly filterChains: PreparedFilterChains;
  /** Hold it (acquire at start, release at the end) so the Snapshot's resources outlive the connection. */
  readonly lease: SnapshotLease;
  readonly logger: Logger;
  /** The listener's TCP metrics (weft_tcp_*). */
  readonly metrics: TcpListenerMetrics;
}

/** Serves one accepted connection of a `protocol: tcp` listener. */
export type ServeTcp = (socket: Socket, info: ConnectionInfo, ctx: TcpProxyContext) => ManagedConnection;

/** What a listener needs from any connection it tracks. */
export interface ManagedConnection {
  /** Finish in-flight work, then close (HTTP/1: Connection: close; HTTP/2: GOAWAY). */
  drain(): void;
  /** Close now. */
  destroy(): void;
}

/** Every protocol hook, passed to createDataPlane. Missing hooks make Snapshots that need them fail to apply. */
export interface ProtocolHooks {
  readonly serveHttp2?: ServeHttp;
  readonly tls?: TlsTerminatorFactory;
  readonly serveTcp?: ServeTcp;
}
