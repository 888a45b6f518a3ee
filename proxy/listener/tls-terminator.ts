// TLS termination for listeners: certificate from the Snapshot's secrets, ALPN, minimum version, mutual TLS.
import type { Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { Listener as ListenerConfig, Snapshot, TlsListenerConfig } from '../../api/snapshot/index.js';
import { WeftError, type Result, ok, err } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { TlsInfo } from '../http/stream-info.js';
import { SocketTlsInfo } from '../identity/certificate-info.js';
import { snapshotSecrets, type SecretStore } from '../identity/secrets.js';
import type { TlsTerminator } from './hooks.js';

export interface TlsTerminatorOptions {
  /** What the listener serves; decides the default ALPN list (HTTP: h2 and http/1.1; TCP: none). */
  readonly protocol: 'http' | 'tcp';
  /** HTTP listeners: offer h2 (the listener's `http.http2`). Default true. */
  readonly http2?: boolean;
  /** A handshake not done within this many ms is aborted. Default 10 s. */
  readonly handshakeTimeoutMs?: number;
  readonly logger?: Logger;
  /** Called for every failed handshake (bad certificate, no client certificate when required, timeout, garbage). */
  readonly onHandshakeError?: (error: Error & { code?: string }) => void;
}

/**
 * The node:tls options for a listener's `tls` block. Validates the certificate, key and CA bundle
 * by building a secure context once, so a bad secret fails the apply (NACK) rather than each handshake.
 */
export function listenerTlsOptions(config: TlsListenerConfig, secrets: SecretStore, options: TlsTerminatorOptions): Result<tls.TlsOptions> {
  const cert = secrets.certificate(config.certificate);
  if (!cert.ok) return cert;
  let ca: string | undefined;
  if (config.client_ca !== undefined) {
    const r = secrets.ca(config.client_ca);
    if (!r.ok) return r;
    ca = r.value;
  }
  const out: tls.TlsOptions = {
    cert: cert.value.certificate,
    key: cert.value.privateKey,
    minVersion: config.min_version,
    // Mutual TLS: ask for a client certificate whenever a CA is configured to check it against;
    // refuse the handshake without a valid one only when required.
    requestCert: ca !== undefined,
    rejectUnauthorized: config.require_client_certificate,
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
  };
  if (ca !== undefined) out.ca = ca;
  const alpn = alpnProtocols(config, options);
  if (alpn.length > 0) out.ALPNProtocols = alpn;
  try {
    tls.createSecureContext(out);
  } catch (e) {
    return err(new WeftError('tls_config_invalid', `certificate "${config.certificate}": ${(e as Error).message}`, { cause: e }));
  }
  return ok(out);
}

function alpnProtocols(config: TlsListenerConfig, options: TlsTerminatorOptions): string[] {
  const h2 = options.http2 ?? true;
  if (config.alpn) return config.alpn.filter((p) => p !== 'h2' || (h2 && options.protocol === 'http'));
  if (options.protocol === 'tcp') return [];
  return h2 ? ['h2', 'http/1.1'] : ['http/1.1'];
}

/**
 * Terminates TLS on a listener's accepted sockets (core's `TlsTerminator` hook). `accept` takes
 * a socket untouched (nothing read from it) and calls `onReady` once the handshake succeeded,
 * with the TLS socket and its TlsInfo (ALPN, SNI, and for mutual TLS whether the client
 * certificate verified). A failed handshake (bad or missing client certificate when required,
 * no common protocol, timeout, garbage) is logged at debug level, reported to `onHandshakeError`,
 * and the socket destroyed; `onReady` is not called.
 */
export class NodeTlsTerminator implements TlsTerminator {
  private readonly server: tls.Server;
  private readonly options: TlsTerminatorOptions;
  private readonly waiting = new WeakMap<Socket, (tlsSocket: Socket, info: TlsInfo) => void>();

  private constructor(tlsOptions: tls.TlsOptions, options: TlsTerminatorOptions) {
    this.options = options;
    // A tls.Server that never listens: it only runs handshakes on the sockets `accept` gives it.
    this.server = tls.createServer(tlsOptions);
    const requestCert = tlsOptions.requestCert === true;
    this.server.on('secureConnection', (socket: TLSSocket) => {
      // node:tls names the TCP socket a TLS socket wraps `_parent` (there is no public accessor).
      const raw = (socket as TLSSocket & { _parent?: Socket })._parent;
      const onReady = raw !== undefined ? this.waiting.get(raw) : undefined;
      if (raw !== undefined) this.waiting.delete(raw);
      if (onReady === undefined) {
        socket.destroy();
        return;
      }
      // `authorized` is true only when a client certificate was presented and verified.
      const verified = requestCert && socket.authorized;
      // Keep the socket from throwing between here and the codec attaching its own listeners.
      socket.on('error', noop);
      onReady(socket, new SocketTlsInfo(socket, verified));
    });
    this.server.on('tlsClientError', (e: Error & { code?: string }, socket: TLSSocket) => {
      this.options.logger?.debug({ err: e.message, code: e.code, remote: socket.remoteAddress }, 'tls handshake failed');
      this.options.onHandshakeError?.(e);
      socket.destroy();
    });
  }

  static create(config: TlsListenerConfig, secrets: SecretStore, options: TlsTerminatorOptions): Result<NodeTlsTerminator> {
    const r = listenerTlsOptions(config, secrets, options);
    if (!r.ok) return r;
    return ok(new NodeTlsTerminator(r.value, options));
  }

  accept(socket: Socket, onReady: (tlsSocket: Socket, info: TlsInfo) => void): void {
    this.waiting.set(socket, onReady);
    this.server.emit('connection', socket);
  }
}

/**
 * The TLS terminator factory for listeners with `tls` (the data plane's `tls` hook): HTTP
 * listeners offer h2 and http/1.1 by ALPN (http/1.1 only with `http.http2: false`), TCP listeners
 * nothing unless `tls.alpn` says so. Throws a WeftError naming the listener when a secret is
 * missing or malformed, so the Snapshot is rejected.
 */
export function createTlsTerminator(listener: ListenerConfig, snapshot: Snapshot, options: { logger?: Logger; handshakeTimeoutMs?: number } = {}): TlsTerminator {
  if (listener.tls === undefined) throw new WeftError('invalid_listener_tls', `listener "${listener.name}" has no tls settings`);
  const o: TlsTerminatorOptions = {
    protocol: listener.protocol,
    http2: listener.http?.http2 ?? true,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  };
  const r = NodeTlsTerminator.create(listener.tls, snapshotSecrets(snapshot), o);
  if (!r.ok) throw new WeftError(r.error.code, `listener "${listener.name}": ${r.error.message}`, { cause: r.error });
  return r.value;
}

function noop(): void {}
