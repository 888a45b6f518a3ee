// TLS origination: connections to a cluster's endpoints verified against its CA bundle (or the system roots), with SNI, ALPN and an optional client certificate.
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { ClusterConfig } from '../../api/snapshot/index.js';
import { WeftError, type Result, ok, err } from '../../lib/errors.js';
import { SocketTlsInfo } from '../identity/certificate-info.js';
import type { SecretStore } from '../identity/secrets.js';
import { TcpConnector, watchConnect, type ConnectCallback, type UpstreamConnector } from './connector.js';

export interface TlsConnectorOptions {
  readonly timeoutMs: number;
  /** PEM CA bundle; undefined: the system roots. */
  readonly ca?: string;
  /** Client certificate and key for mutual TLS. */
  readonly certificate?: string;
  readonly privateKey?: string;
  /** Server name to send (SNI) and to verify the certificate against; default: the endpoint host when it is a name. */
  readonly sni?: string;
  /** ALPN protocols to offer, most preferred first. */
  readonly alpn?: readonly string[];
  /** The connection fails unless the server picks one of these by ALPN (e.g. ["h2"] for an HTTP/2 pool). */
  readonly requireAlpn?: readonly string[];
}

/**
 * TLS connections. The peer must present a certificate that chains to the CA bundle and names the
 * SNI host (or the endpoint's name or IP); otherwise the connection fails with `connect_failed`.
 * Sessions are cached per endpoint so reconnects resume instead of running a full handshake.
 */
export class TlsConnector implements UpstreamConnector {
  readonly kind = 'tls';
  private readonly options: TlsConnectorOptions;
  private readonly context: tls.SecureContext;
  private readonly sessions = new Map<string, Buffer>();

  constructor(options: TlsConnectorOptions) {
    this.options = options;
    const ctx: tls.SecureContextOptions = {};
    if (options.ca !== undefined) ctx.ca = options.ca;
    if (options.certificate !== undefined) ctx.cert = options.certificate;
    if (options.privateKey !== undefined) ctx.key = options.privateKey;
    // One context per cluster: parsing the CA bundle per connection would dominate connect cost.
    this.context = tls.createSecureContext(ctx);
  }

  connect(host: string, port: number, callback: ConnectCallback): () => void {
    const endpoint = `${host}:${port}`;
    const servername = this.options.sni ?? (isIP(host) === 0 ? host : undefined);
    const opts: tls.ConnectionOptions = {
      host,
      port,
      secureContext: this.context,
      rejectUnauthorized: true,
    };
    if (servername !== undefined) opts.servername = servername;
    if (this.options.alpn) opts.ALPNProtocols = [...this.options.alpn];
    const session = this.sessions.get(endpoint);
    if (session) opts.session = session;
    const socket = tls.connect(opts);
    socket.setNoDelay(true);
    socket.on('session', (s: Buffer) => this.sessions.set(endpoint, s));
    const required = this.options.requireAlpn;
    return watchConnect(
      socket,
      'secureConnect',
      this.options.timeoutMs,
      endpoint,
      (e) => callback(e, e ? undefined : { socket, tls: new SocketTlsInfo(socket, socket.authorized) }),
      () => {
        if (!socket.authorized) return `TLS handshake with ${endpoint} failed: ${String(socket.authorizationError)}`;
        if (required && !required.includes(String(socket.alpnProtocol))) {
          return `TLS handshake with ${endpoint}: the server did not agree to ${required.join(' or ')} by ALPN (got ${socket.alpnProtocol || 'none'})`;
        }
        return undefined;
      },
    );
  }
}

/**
 * The connector of a cluster: TLS when it has a `tls` block (secrets resolved now, so a missing or
 * malformed CA or certificate fails the apply), plain TCP otherwise. `alpn` is the default ALPN
 * list for the cluster's protocol (["h2"] for HTTP/2); the cluster's `tls.alpn` overrides it.
 */
export function clusterConnector(cluster: ClusterConfig, secrets: SecretStore, defaults: { alpn?: readonly string[]; requireAlpn?: readonly string[] } = {}): Result<UpstreamConnector> {
  const t = cluster.tls;
  if (!t) return ok(new TcpConnector(cluster.connect_timeout));
  const options: { -readonly [K in keyof TlsConnectorOptions]: TlsConnectorOptions[K] } = { timeoutMs: cluster.connect_timeout };
  if (t.ca !== undefined) {
    const ca = secrets.ca(t.ca);
    if (!ca.ok) return ca;
    options.ca = ca.value;
  }
  if (t.client_certificate !== undefined) {
    const c = secrets.certificate(t.client_certificate);
    if (!c.ok) return c;
    options.certificate = c.value.certificate;
    options.privateKey = c.value.privateKey;
  }
  if (t.sni !== undefined) options.sni = t.sni;
  const alpn = t.alpn ?? defaults.alpn;
  if (alpn !== undefined) options.alpn = alpn;
  if (defaults.requireAlpn !== undefined) options.requireAlpn = defaults.requireAlpn;
  try {
    return ok(new TlsConnector(options));
  } catch (e) {
    return err(new WeftError('tls_config_invalid', `cluster "${cluster.name}": ${(e as Error).message}`, { cause: e }));
  }
}
