// Weft's own protocol implementations, listed in one place: HTTP/2, TLS termination and origination, HTTP/2 pools, the TCP proxy.
import type { Logging } from '../lib/log.js';
import { serveHttp2 } from './http/codec-h2.js';
import type { ProtocolHooks } from './listener/hooks.js';
import { createTlsTerminator } from './listener/tls-terminator.js';
import { serveTcp } from './tcp/tcp-proxy.js';
import type { ClusterManagerOptions } from './upstream/cluster-manager.js';
import { clusterTlsConnector } from './upstream/connector-tls.js';
import { createHttp2Pool } from './upstream/pool-h2.js';

/** The listener hooks: HTTP/2 (prior knowledge and ALPN "h2"), TLS termination with mutual TLS, the TCP proxy. */
export function builtinProtocolHooks(logging: Logging): ProtocolHooks {
  const tlsLog = logging.logger('tls');
  return {
    serveHttp2,
    tls: (listener, snapshot) => createTlsTerminator(listener, snapshot, { logger: tlsLog }),
    serveTcp,
  };
}

/** Pool factories beyond the built-in HTTP/1.1 one. */
export const builtinClusterPools: NonNullable<ClusterManagerOptions['poolFactories']> = { http2: createHttp2Pool };

/** TLS origination for clusters with `tls`. */
export const builtinTlsConnector: NonNullable<ClusterManagerOptions['tlsConnector']> = clusterTlsConnector;
