// TLS origination: connectors whose connections are verified against a CA bundle (or the system roots), with SNI, ALPN and an optional client certificate.
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { ClusterConfig, HostPort, Snapshot } from '../../api/snapshot/index.js';
import { WeftError } from '../../lib/errors.js';
import { SocketTlsInfo } from '../identity/certificate-info.js';
import { snapshotSecrets } from '../identity/secrets.js';
import type { UpstreamConnector, UpstreamSocket } from './connector.js';

export interface TlsConnectorOptions {
  /** PEM CA bundle; undefined: the system roots. */
  readonly ca?: string;
  /** Client certificate and key for mutual TLS. */
  readonly certificate?: string;
  readonly privateKey?: string;
  /** Server name sent (SNI) and checked against the certificate; default: the endpoint's host when it is a name (an IP is checked against IP SANs). */
  readonly sni?: string;
  /** ALPN protocols offered, most preferred first. */
  readonly alpn?: readonly string[];
}

/**
 * A connector whose sockets are TLS: the peer must present a certificate that chains to the CA
 * bundle and names the SNI host (or the endpoint), otherwise the socket errors before
 * `secureConnect` (the pool reports `connect_failed`). TLS sessions are cached per endpoint, so
 * reconnects resume instead of running a full handshake. Throws (a WeftError) on a malformed
 * CA, certificate or key.
 */
export function tlsConnector(options: TlsConnectorOptions): UpstreamConnector {
  let context: tls.SecureContext;
  try {
    // One context per cluster: parsing the CA bundle per connection would dominate connect cost.
    context = tls.createSecureContext({ ca: options.ca, cert: options.certificate, key: options.privateKey });
  } catch (e) {
    throw new WeftError('tls_config_invalid', (e as Error).message, { cause: e });
  }
  const sessions = new Map<string, Buffer>();
  const alpn = options.alpn ? [...options.alpn] : undefined;
  return (endpoint: HostPort): UpstreamSocket => {
    const key = `${endpoint.host}:${endpoint.port}`;
    const servername = options.sni ?? (isIP(endpoint.host) === 0 ? endpoint.host : undefined);
    const opts: tls.ConnectionOptions = { host: endpoint.host, port: endpoint.port, secureContext: context, rejectUnauthorized: true };
    if (servername !== undefined) opts.servername = servername;
    if (alpn !== undefined) opts.ALPNProtocols = alpn;
    const session = sessions.get(key);
    if (session !== undefined) opts.session = session;
    const socket = tls.connect(opts);
    socket.setNoDelay(true);
    socket.on('session', (s: Buffer) => sessions.set(key, s));
    let info: SocketTlsInfo | undefined;
    return {
      socket,
      readyEvent: 'secureConnect',
      tlsInfo: () => (info ??= socket.encrypted && !socket.destroyed ? new SocketTlsInfo(socket, socket.authorized) : undefined),
    };
  };
}

/**
 * The TLS connector of a cluster with `tls` (the cluster manager's `tlsConnector` option). ALPN
 * defaults to what the cluster speaks ("h2" for HTTP/2, "http/1.1" for HTTP/1.1). Throws a
 * WeftError naming the cluster when a secret is missing or malformed: the Snapshot is rejected.
 */
export function clusterTlsConnector(cluster: ClusterConfig, snapshot: Snapshot): UpstreamConnector {
  const t = cluster.tls;
  if (t === undefined) throw new WeftError('invalid_cluster_tls', `cluster "${cluster.name}" has no tls settings`);
  const secrets = snapshotSecrets(snapshot);
  const fail = (e: WeftError) => new WeftError(e.code, `cluster "${cluster.name}": ${e.message}`, { cause: e });
  const options: { -readonly [K in keyof TlsConnectorOptions]: TlsConnectorOptions[K] } = {
    alpn: t.alpn ?? (cluster.protocol === 'http2' ? ['h2'] : ['http/1.1']),
  };
  if (t.ca !== undefined) {
    const ca = secrets.ca(t.ca);
    if (!ca.ok) throw fail(ca.error);
    options.ca = ca.value;
  }
  if (t.client_certificate !== undefined) {
    const c = secrets.certificate(t.client_certificate);
    if (!c.ok) throw fail(c.error);
    options.certificate = c.value.certificate;
    options.privateKey = c.value.privateKey;
  }
  if (t.sni !== undefined) options.sni = t.sni;
  try {
    return tlsConnector(options);
  } catch (e) {
    throw e instanceof WeftError ? fail(e) : e;
  }
}
