// StreamInfo and ConnectionInfo: what is known about a stream and its connection (logs, metrics, Wasm properties).

export interface PeerCertificate {
  readonly subject: string;
  readonly uriSans: readonly string[];
  readonly dnsSans: readonly string[];
  readonly serialNumber?: string;
  readonly fingerprint256?: string;
}

export interface TlsInfo {
  readonly version: string;
  readonly cipher?: string;
  /** SNI the client asked for. */
  readonly serverName?: string;
  readonly alpn?: string;
  /** True when the peer presented a certificate that verified (mutual TLS). */
  readonly peerVerified: boolean;
  readonly peerCertificate?: PeerCertificate;
  readonly localCertificate?: PeerCertificate;
}

/** One downstream connection. */
export interface ConnectionInfo {
  readonly id: number;
  readonly listenerName: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly tls?: TlsInfo;
}

/** One request/response exchange. Mutable fields are filled in as the stream progresses. */
export interface StreamInfo {
  readonly connection: ConnectionInfo;
  /** The x-request-id of the stream. */
  requestId: string;
  /** Wall clock at the first request byte (ms since epoch). */
  readonly startTime: number;
  /** `performance.now()` at the first request byte. */
  readonly startMonotonic: number;
  readonly protocol: 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2';
  routeName?: string;
  clusterName?: string;
  /** "host:port" of the upstream endpoint used. */
  upstreamAddress?: string;
  upstreamTls?: TlsInfo;
  responseCode?: number;
  /** Why the response is what it is: "via_upstream", "route_not_found", "upstream_timeout", a filter's details… */
  responseCodeDetails?: string;
  requestBodyBytes: number;
  responseBodyBytes: number;
  requestHeaderBytes: number;
  responseHeaderBytes: number;
  /** Values filters set (proxy_set_property) and read back (proxy_get_property). */
  readonly filterState: Map<string, Uint8Array>;
}
