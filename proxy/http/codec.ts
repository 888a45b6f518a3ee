// The downstream codec contract: HTTP/1.1 and HTTP/2 server connections turn wire bytes into streams.
import type { HeaderMap } from './header-map.js';
import type { ConnectionInfo } from './stream-info.js';

/** Why a stream ended abnormally. */
export type ResetReason =
  | 'remote_reset' // the peer reset the stream or closed the connection mid-stream
  | 'local_reset' // Weft reset it
  | 'protocol_error' // malformed bytes
  | 'connection_timeout'
  | 'overflow'; // a buffer limit was exceeded

/**
 * Receives a request from a server codec. The codec calls, in order: `decodeHeaders` once,
 * `decodeData` zero or more times, `decodeTrailers` at most once. `endStream` is true on the last
 * call. `onReset` may come at any point and ends the stream (no further calls).
 * Header maps are already normalized: lowercase names, pseudo-headers (:method, :scheme,
 * :authority, :path), hop-by-hop headers removed, framing validated.
 */
export interface RequestDecoder {
  decodeHeaders(headers: HeaderMap, endStream: boolean): void;
  decodeData(chunk: Buffer, endStream: boolean): void;
  decodeTrailers(trailers: HeaderMap): void;
  onReset(reason: ResetReason): void;
  /** The response side has room again after encodeData returned false. */
  onResponseDrain?(): void;
}

/**
 * Sends a response on one stream. Calls follow the same order: `encode1xx` (any number, before
 * headers), `encodeHeaders` once, `encodeData`*, `encodeTrailers`?. The codec adds framing
 * (content-length or chunked for HTTP/1.1, `Date`, `Connection: close` when the connection will
 * close) and turns :status into the status line.
 */
export interface ResponseEncoder {
  encode1xx(headers: HeaderMap): void;
  encodeHeaders(headers: HeaderMap, endStream: boolean): void;
  /** Returns false when the connection's write buffer is above its high watermark; wait for onResponseDrain. */
  encodeData(chunk: Buffer, endStream: boolean): boolean;
  encodeTrailers(trailers: HeaderMap): void;
  /** Abort the stream (HTTP/2 RST_STREAM; HTTP/1 closes the connection). */
  reset(reason: ResetReason): void;
  /** Stop (true) or resume (false) reading this stream's request body: flow control for slow upstreams. Calls nest. */
  readDisable(disable: boolean): void;
  /**
   * After a 101 response to an Upgrade request (or 2xx to CONNECT): the stream becomes a raw byte
   * tunnel: further request bytes come as decodeData, encodeData writes raw bytes.
   */
  readonly isUpgrade: boolean;
}

/** What a server codec reports to the connection manager. */
export interface ServerConnectionCallbacks {
  /** A new request began. Returns the decoder that receives it. */
  newStream(encoder: ResponseEncoder, info: ConnectionInfo, protocol: 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2'): RequestDecoder;
}

/** A server connection (one socket). */
export interface ServerConnection {
  readonly info: ConnectionInfo;
  /** Stop accepting new streams; close once in-flight streams finish (GOAWAY / Connection: close). */
  drain(): void;
  /** Close now, resetting in-flight streams. */
  destroy(): void;
  /** Number of streams in flight. */
  readonly activeStreams: number;
}
