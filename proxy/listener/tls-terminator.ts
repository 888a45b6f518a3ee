// TLS termination for listeners: certificate from the Snapshot's secrets, ALPN, minimum version, mutual TLS.
import type { Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { TlsListenerConfig } from '../../api/snapshot/index.js';
import { WeftError, type Result, ok, err } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { TlsInfo } from '../http/stream-info.js';
import { SocketTlsInfo } from '../identity/certificate-info.js';
import type { SecretStore } from '../identity/secrets.js';

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

/** Receives each connection whose handshake succeeded. `tls.alpn` says which protocol it speaks ("h2", "http/1.1" or undefined). */
export type SecureConnectionHandler = (socket: TLSSocket, tls: TlsInfo) => void;

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
 * Terminates TLS on accepted sockets. The listener hands every accepted socket to `accept` untouched
 * (nothing read from it); the handler gets the TLS socket once the handshake succeeded, with its
 * TlsInfo (ALPN, SNI, and for mutual TLS whether the client certificate verified). Failed handshakes
 * are logged at debug level, reported to `onHandshakeError`, and the socket is destroyed.
 *
 * `update` swaps certificate, CA and settings for new handshakes (secret rotation) while established
 * connections continue.
 */
export class TlsTerminator {
  private server: tls.Server;
  private readonly options: TlsTerminatorOptions;
  private readonly handler: SecureConnectionHandler;

  private constructor(tlsOptions: tls.TlsOptions, options: TlsTerminatorOptions, handler: SecureConnectionHandler) {
    this.options = options;
    this.handler = handler;
    this.server = this.makeServer(tlsOptions);
  }

  static create(config: TlsListenerConfig, secrets: SecretStore, options: TlsTerminatorOptions, handler: SecureConnectionHandler): Result<TlsTerminator> {
    const r = listenerTlsOptions(config, secrets, options);
    if (!r.ok) return r;
    return ok(new TlsTerminator(r.value, options, handler));
  }

  /** Starts the handshake on an accepted socket. */
  accept(socket: Socket): void {
    this.server.emit('connection', socket);
  }

  /**
   * New certificate, CA and settings for later handshakes (established connections keep theirs);
   * session tickets issued before stay valid. An invalid config changes nothing.
   */
  update(config: TlsListenerConfig, secrets: SecretStore): Result<void> {
    const r = listenerTlsOptions(config, secrets, this.options);
    if (!r.ok) return r;
    const next = this.makeServer(r.value);
    next.setTicketKeys(this.server.getTicketKeys());
    this.server = next;
    return ok(undefined);
  }

  private makeServer(tlsOptions: tls.TlsOptions): tls.Server {
    // A tls.Server that never listens: it only runs handshakes on the sockets `accept` gives it.
    const server = tls.createServer(tlsOptions);
    const requestCert = tlsOptions.requestCert === true;
    server.on('secureConnection', (socket: TLSSocket) => {
      // `authorized` is true only when a client certificate was presented and verified.
      const verified = requestCert && socket.authorized;
      // Keep the socket from throwing between here and the codec attaching its own listeners.
      socket.on('error', noop);
      this.handler(socket, new SocketTlsInfo(socket, verified));
    });
    server.on('tlsClientError', (e: Error & { code?: string }, socket: TLSSocket) => {
      this.options.logger?.debug({ err: e.message, code: e.code, remote: socket.remoteAddress }, 'tls handshake failed');
      this.options.onHandshakeError?.(e);
      socket.destroy();
    });
    return server;
  }
}

function noop(): void {}
