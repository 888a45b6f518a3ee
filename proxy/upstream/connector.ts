// The upstream socket seam: how a pool opens a connection to an endpoint (plain TCP here; TLS origination plugs in).
import { connect, type Socket } from 'node:net';
import type { HostPort } from '../../api/snapshot/index.js';
import type { TlsInfo } from '../http/stream-info.js';

/** An upstream connection being opened. */
export interface UpstreamSocket {
  readonly socket: Socket;
  /** The event that says the connection is ready for bytes: "connect" (TCP) or "secureConnect" (TLS). */
  readonly readyEvent: 'connect' | 'secureConnect';
  /** TLS details once ready (TLS connectors only). */
  tlsInfo?(): TlsInfo | undefined;
}

/**
 * Opens a connection to `endpoint`. Must not throw for network failures: they surface as the
 * socket's "error"/"close" events. The pool applies the connect timeout.
 */
export type UpstreamConnector = (endpoint: HostPort) => UpstreamSocket;

/** Plain TCP. */
export const tcpConnector: UpstreamConnector = (endpoint) => {
  const socket = connect({ host: endpoint.host, port: endpoint.port, noDelay: true });
  return { socket, readyEvent: 'connect' };
};
