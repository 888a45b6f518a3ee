// The upstream contract: a cluster opens request streams to its endpoints over pooled connections.
import type { HeaderMap } from '../http/header-map.js';
import type { TlsInfo } from '../http/stream-info.js';

/** Why an upstream request failed before or while its response came. Each maps to one local error. */
export type UpstreamFailure =
  | 'connect_failed' // refused, unreachable, connect timeout, TLS handshake failed  -> 502
  | 'connection_reset' // the connection closed or reset before the response ended     -> 502
  | 'protocol_error' // the upstream sent a malformed or ambiguous response           -> 502
  | 'no_healthy_endpoint' // the cluster has no endpoint                               -> 503
  | 'overflow' // pool or pending-request limits reached                              -> 503
  | 'timeout'; // the per-request timeout passed                                        -> 504

/** Receives the response of one upstream request, in order: informational*, headers, data*, trailers?; or onError. */
export interface UpstreamResponseHandler {
  /** The endpoint was picked and the request head is on its way (for StreamInfo). */
  onUpstreamSelected?(address: string, tls?: TlsInfo): void;
  onInformational?(headers: HeaderMap): void;
  /** `headers` holds :status. */
  onHeaders(headers: HeaderMap, endStream: boolean): void;
  onData(chunk: Buffer, endStream: boolean): void;
  onTrailers(trailers: HeaderMap): void;
  /** The request failed; no further calls. `responseStarted` tells whether onHeaders already ran. */
  onError(failure: UpstreamFailure, message: string, responseStarted: boolean): void;
  /** The request side has room again after sendData returned false. */
  onRequestDrain?(): void;
}

/** The request side of one upstream stream. */
export interface UpstreamRequest {
  /** Returns false above the connection's write high watermark; wait for onRequestDrain. */
  sendData(chunk: Buffer, endStream: boolean): boolean;
  sendTrailers(trailers: HeaderMap): void;
  /** Abort: the connection is not reused (HTTP/1) or the stream is reset (HTTP/2). */
  reset(): void;
  /** Flow control of the response: stop (true) / resume (false) reading it. Calls nest. */
  readDisable(disable: boolean): void;
}

export interface UpstreamRequestOptions {
  /** Whole-exchange timeout in ms (0: none). On expiry the handler gets onError('timeout'). */
  timeoutMs: number;
  /** The request is an Upgrade / CONNECT: after a 101 (2xx) the stream becomes a raw tunnel. */
  upgrade?: boolean;
  /** Key for hash-based pickers, and the downstream address for logs. */
  hashKey?: string;
}

/**
 * A cluster as the router and Wasm callouts see it. `newRequest` picks an endpoint, takes or
 * opens a pooled connection and sends the request head. `headers` carries the pseudo-headers
 * (:method, :scheme, :authority, :path); the pool turns them into the upstream protocol.
 * A failure is reported through `handler.onError`, never thrown (an unknown cluster is the
 * caller's problem: ClusterManager.get returns undefined).
 */
export interface Cluster {
  readonly name: string;
  readonly protocol: 'http1' | 'http2';
  newRequest(headers: HeaderMap, endStream: boolean, handler: UpstreamResponseHandler, options: UpstreamRequestOptions): UpstreamRequest;
}

/** The clusters of the current Snapshot. */
export interface ClusterManager {
  get(name: string): Cluster | undefined;
}

