// Upstream connectors: open a raw or TLS connection to one endpoint, with a connect timeout (pools and the TCP proxy use them).
import net, { type Socket } from 'node:net';
import type { TlsInfo } from '../http/stream-info.js';

/** A connection ready for bytes: TCP connected and, for TLS, handshake done and the peer verified. */
export interface UpstreamConnection {
  readonly socket: Socket;
  /** TLS facts when the connection is TLS (ALPN, verified peer certificate). */
  readonly tls?: TlsInfo;
}

/** Why a connection could not be made; the message names the endpoint and the cause. */
export interface ConnectError {
  readonly failure: 'connect_failed';
  readonly message: string;
}

export type ConnectCallback = (error: ConnectError | undefined, connection: UpstreamConnection | undefined) => void;

/**
 * Opens connections to endpoints. `connect` calls back exactly once, never synchronously, unless
 * the returned cancel function runs first (then it never calls back and the socket is destroyed).
 * The timeout covers the TCP connect and, for TLS, the handshake. On failure the socket is
 * already destroyed.
 */
export interface UpstreamConnector {
  connect(host: string, port: number, callback: ConnectCallback): () => void;
  /** "tls" or "tcp", for logs. */
  readonly kind: 'tcp' | 'tls';
}

/** Plain TCP connections (Nagle off: proxies forward whole messages). */
export class TcpConnector implements UpstreamConnector {
  readonly kind = 'tcp';
  private readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  connect(host: string, port: number, callback: ConnectCallback): () => void {
    const socket = net.connect({ host, port, noDelay: true });
    return watchConnect(socket, 'connect', this.timeoutMs, `${host}:${port}`, (e) => callback(e, e ? undefined : { socket }));
  }
}

/**
 * Waits for `event` on a connecting socket with a timeout; reports once. Returns a cancel function.
 * Shared by the TCP and TLS connectors.
 */
export function watchConnect(
  socket: Socket,
  event: 'connect' | 'secureConnect',
  timeoutMs: number,
  endpoint: string,
  done: (error: ConnectError | undefined) => void,
  check?: () => string | undefined,
): () => void {
  let finished = false;
  const finish = (message: string | undefined) => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    socket.removeListener(event, onConnect);
    socket.removeListener('error', onError);
    socket.removeListener('close', onClose);
    if (message !== undefined) {
      socket.on('error', noop);
      socket.destroy();
      done({ failure: 'connect_failed', message });
    } else {
      done(undefined);
    }
  };
  const onConnect = () => finish(check?.());
  const onError = (e: Error & { code?: string }) => {
    const what = event === 'secureConnect' && !socket.connecting ? 'TLS handshake with' : 'connect to';
    finish(`${what} ${endpoint} failed: ${e.code ?? e.message}${e.code && e.message && !e.message.includes(e.code) ? ` (${e.message})` : ''}`);
  };
  const onClose = () => finish(`connect to ${endpoint} failed: closed during connect`);
  const timer = timeoutMs > 0 ? setTimeout(() => finish(`connect to ${endpoint} timed out after ${timeoutMs}ms`), timeoutMs) : undefined;
  socket.once(event, onConnect);
  socket.on('error', onError);
  socket.once('close', onClose);
  return () => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    socket.removeListener('error', onError);
    socket.on('error', noop);
    socket.destroy();
  };
}

function noop(): void {}
