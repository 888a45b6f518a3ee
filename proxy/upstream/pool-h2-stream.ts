// One request on an HTTP/2 upstream: queued until the pool gives it a connection, then a node:http2 client stream.
import { constants, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import type { Logger } from '../../lib/log.js';
import type { DeadlineSweeper, Expirable } from '../http/deadline-sweeper.js';
import { isGrpcContentType } from '../http/grpc.js';
import type { HeaderMap } from '../http/header-map.js';
import { headersFromH2, toH2Headers } from '../http/h2-headers.js';
import { onRemoteEnd } from '../http/h2-stream-end.js';
import type { TlsInfo } from '../http/stream-info.js';
import type { UpstreamFailure, UpstreamRequest, UpstreamResponseHandler } from './types.js';

const EMPTY = Buffer.alloc(0);
const { NGHTTP2_FLAG_END_STREAM, NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_PROTOCOL_ERROR, NGHTTP2_NO_ERROR } = constants;

/** Body bytes a request may queue while it waits for a connection before sendData says "wait". */
const QUEUED_HIGH_WATERMARK = 64 * 1024;

// node:http2 stream events go to module-level functions that find the request through this key:
// no closure per request and event.
const kOwner = Symbol('weft.h2.upstreamStream');
type Owned = ClientHttp2Stream & { [kOwner]: Http2UpstreamStream };
function onStreamError(this: Owned, e: Error & { code?: string }): void {
  this[kOwner].onError(e);
}
function onStreamHeaders(this: Owned, _h: unknown, _f: number, raw: string[]): void {
  this[kOwner].onInformational(raw);
}
function onStreamResponse(this: Owned, _h: unknown, flags: number, raw: string[]): void {
  this[kOwner].onResponse(raw, (flags & NGHTTP2_FLAG_END_STREAM) !== 0);
}
function onStreamData(this: Owned, chunk: Buffer): void {
  this[kOwner].onData(chunk);
}
function onStreamTrailers(this: Owned, _h: unknown, _f: number, raw: string[]): void {
  this[kOwner].onTrailers(raw);
}
function onStreamWantTrailers(this: Owned): void {
  this[kOwner].onWantTrailers();
}
function onStreamDrain(this: Owned): void {
  this[kOwner].onDrain();
}
function onStreamClose(this: Owned): void {
  this[kOwner].onClose();
}

/** What a stream needs from its pool. */
export interface StreamPool {
  readonly logger: Logger | undefined;
  /** Leaves the wait queue (reset or timeout before a connection was assigned). */
  dequeue(stream: Http2UpstreamStream): void;
  /** Puts a stream the server refused without processing it back in the queue. */
  requeue(stream: Http2UpstreamStream): void;
}

/** The connection a stream was given. */
export interface StreamConnection {
  readonly session: ClientHttp2Session;
  readonly address: string;
  readonly tls: TlsInfo | undefined;
  streamClosed(): void;
}

/**
 * One upstream request (UpstreamRequest) and the delivery of its response to the handler.
 * Before a connection is assigned, body chunks, trailers and flow-control calls are remembered
 * and replayed. The handler gets exactly one of: a complete response, or one `onError`.
 * A request the server refused without processing it (REFUSED_STREAM, e.g. after GOAWAY) is
 * retried once on another connection when it had no body; otherwise it fails as `connection_reset`.
 */
export class Http2UpstreamStream implements UpstreamRequest, Expirable {
  private readonly pool: StreamPool;
  private readonly handler: UpstreamResponseHandler;
  private readonly headers: HeaderMap;
  private readonly endStream: boolean;
  private stream: ClientHttp2Stream | undefined;
  private connection: StreamConnection | undefined;
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private queuedEnd = false;
  private askedToWait = false;
  private requestTrailers: OutgoingHttpHeaders | undefined;
  private readDisabled = 0;
  private responseStarted = false;
  private responseComplete = false;
  private responseTrailers: HeaderMap | undefined;
  /** The handler heard its last word (complete response or error), or the caller reset. */
  private finished = false;
  private retried = false;
  /** A 'drain' listener is waiting (added when a write says the buffer is full). */
  private drainArmed = false;
  /** The request was opened without waitForTrailers (a body with content-length). */
  private noTrailers = false;
  /** RST_STREAM(CANCEL) was asked for: nothing more may be sent on the stream. */
  private cancelled = false;
  private readonly timeoutMs: number;
  private readonly timeouts: DeadlineSweeper;
  /** Expirable: when the request timeout passes (0: none), and the sweeper's slot. */
  deadline = 0;
  sweepIndex = -1;

  constructor(pool: StreamPool, headers: HeaderMap, endStream: boolean, handler: UpstreamResponseHandler, timeoutMs: number, timeouts: DeadlineSweeper) {
    this.pool = pool;
    this.headers = headers;
    this.endStream = endStream;
    this.queuedEnd = endStream;
    this.handler = handler;
    this.timeoutMs = timeoutMs;
    this.timeouts = timeouts;
    if (timeoutMs > 0) {
      timeouts.add(this);
      this.deadline = timeouts.deadlineIn(timeoutMs);
    }
  }

  get done(): boolean {
    return this.finished;
  }

  /** Opens the stream on `connection` and sends what was queued. Returns false when the session refused it. */
  start(connection: StreamConnection): boolean {
    if (this.finished) return true;
    const out = toH2Headers(this.headers, 'request');
    out[':scheme'] = connection.tls ? 'https' : 'http';
    const grpc = isGrpcContentType(this.headers.get('content-type'));
    // gRPC servers expect "te: trailers" (hop-by-hop, so codecs dropped it downstream).
    if (grpc) out['te'] = 'trailers';
    // waitForTrailers costs about 10 µs per request in node:http2; a body with content-length
    // (HTTP/1.1 has no trailers then) skips it. A cut body cannot look complete: the server
    // checks content-length.
    this.noTrailers = !this.endStream && !grpc && this.headers.has('content-length');
    let stream: ClientHttp2Stream;
    try {
      stream = connection.session.request(out, this.endStream ? { endStream: true } : this.noTrailers ? {} : { waitForTrailers: true });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_HTTP2_GOAWAY_SESSION' || code === 'ERR_HTTP2_INVALID_SESSION' || code === 'ERR_HTTP2_OUT_OF_STREAMS') return false;
      this.fail('protocol_error', `request headers rejected: ${(e as Error).message}`);
      return true;
    }
    this.stream = stream;
    this.connection = connection;
    try {
      this.handler.onUpstreamSelected?.(connection.address, connection.tls);
    } catch (e) {
      this.pool.logger?.error({ err: e }, 'upstream onUpstreamSelected threw');
    }
    (stream as Owned)[kOwner] = this;
    stream.on('error', onStreamError);
    stream.on('headers', onStreamHeaders);
    stream.on('response', onStreamResponse);
    stream.on('data', onStreamData);
    stream.on('trailers', onStreamTrailers);
    onRemoteEnd(stream, (complete) => {
      if (complete) this.onResponseEnd();
    });
    if (!this.endStream && !this.noTrailers) stream.on('wantTrailers', onStreamWantTrailers);
    stream.on('close', onStreamClose);
    if (this.readDisabled > 0) stream.pause();
    // Replay what came while the request waited for a connection.
    const chunks = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    let room = true;
    if (!this.endStream) {
      for (const c of chunks) room = stream.write(c);
      if (this.queuedEnd) stream.end();
      else if (!room) this.armDrain(stream);
    }
    if (this.askedToWait && room && !this.queuedEnd) {
      this.askedToWait = false;
      this.deliver(() => this.handler.onRequestDrain?.());
    }
    return true;
  }

  // UpstreamRequest

  sendData(chunk: Buffer, endStream: boolean): boolean {
    if (this.finished || this.queuedEnd) return true;
    const s = this.stream;
    if (s === undefined) {
      if (chunk.length > 0) {
        this.queued.push(chunk);
        this.queuedBytes += chunk.length;
      }
      if (endStream) this.queuedEnd = true;
      if (this.queuedBytes > QUEUED_HIGH_WATERMARK && !endStream) {
        this.askedToWait = true;
        return false;
      }
      return true;
    }
    if (s.closed || s.destroyed) return true;
    if (endStream) {
      this.queuedEnd = true;
      if (chunk.length > 0) s.end(chunk);
      else s.end();
      return true;
    }
    if (chunk.length === 0 || s.write(chunk)) return true;
    this.armDrain(s);
    return false;
  }

  sendTrailers(trailers: HeaderMap): void {
    if (this.finished || this.queuedEnd) return;
    this.queuedEnd = true;
    if (this.noTrailers) this.pool.logger?.debug('http2 upstream request trailers dropped after a content-length head');
    else this.requestTrailers = toH2Headers(trailers, 'none');
    const s = this.stream;
    if (s !== undefined && !s.closed && !s.destroyed) s.end();
  }

  reset(): void {
    if (this.finished) return;
    this.finished = true;
    this.clearTimer();
    const s = this.stream;
    if (s === undefined) this.pool.dequeue(this);
    else this.cancel(s);
  }

  readDisable(disable: boolean): void {
    const s = this.stream;
    if (disable) {
      if (this.readDisabled++ === 0 && s !== undefined) s.pause();
    } else if (this.readDisabled > 0 && --this.readDisabled === 0 && s !== undefined) {
      s.resume();
    }
  }

  /** The pool could not give this request a connection (connect failure, overflow, pool closed). */
  fail(failure: UpstreamFailure, message: string): void {
    if (this.finished) return;
    this.finished = true;
    this.clearTimer();
    const s = this.stream;
    if (s !== undefined) this.cancel(s);
    try {
      this.handler.onError(failure, message, this.responseStarted);
    } catch (e) {
      this.pool.logger?.error({ err: e }, 'upstream onError threw');
    }
  }

  // Internals

  private armDrain(s: ClientHttp2Stream): void {
    if (this.drainArmed) return;
    this.drainArmed = true;
    s.once('drain', onStreamDrain);
  }

  onDrain(): void {
    this.drainArmed = false;
    this.deliver(() => this.handler.onRequestDrain?.());
  }

  onError(e: Error & { code?: string }): void {
    this.pool.logger?.debug({ err: e.message, code: e.code, upstream: this.connection?.address }, 'http2 upstream stream error');
  }

  onTrailers(raw: string[]): void {
    this.responseTrailers = headersFromH2(raw);
  }

  onWantTrailers(): void {
    // After a cancel node still asks for trailers; sending them would end the request cleanly
    // (END_STREAM) before the RST_STREAM, and the upstream would take a cut body as complete.
    const stream = this.stream;
    if (stream === undefined || this.cancelled || stream.closed) return;
    const t = this.requestTrailers;
    this.requestTrailers = undefined;
    try {
      stream.sendTrailers(t ?? {});
    } catch (e) {
      this.pool.logger?.debug({ err: (e as Error).message }, 'http2 upstream trailers not sent');
      this.cancel(stream);
    }
  }

  /** A response body chunk (the hot path: no closure per chunk). */
  onData(chunk: Buffer): void {
    if (this.finished) return;
    try {
      this.handler.onData(chunk, false);
    } catch (e) {
      this.handlerThrew(e);
    }
  }

  /** Runs a handler callback unless the exchange is over; a throw resets the upstream stream. */
  private deliver(fn: () => void): void {
    if (this.finished) return;
    try {
      fn();
    } catch (e) {
      this.handlerThrew(e);
    }
  }

  private handlerThrew(e: unknown): void {
    this.pool.logger?.error({ err: e }, 'upstream response handler threw; resetting the upstream stream');
    this.finished = true;
    this.clearTimer();
    const s = this.stream;
    if (s !== undefined) this.cancel(s);
  }

  onInformational(raw: string[]): void {
    if (this.responseStarted) return;
    const h = headersFromH2(raw);
    this.deliver(() => this.handler.onInformational?.(h));
  }

  onResponse(raw: string[], endStream: boolean): void {
    this.responseStarted = true;
    if (endStream) {
      this.responseComplete = true;
      this.clearTimer();
    }
    const h = headersFromH2(raw);
    this.deliver(() => this.handler.onHeaders(h, endStream));
    if (endStream) this.responseDone();
  }

  private onResponseEnd(): void {
    if (this.responseComplete || !this.responseStarted) return;
    this.responseComplete = true;
    this.clearTimer();
    const t = this.responseTrailers;
    this.responseTrailers = undefined;
    if (t !== undefined) this.deliver(() => this.handler.onTrailers(t));
    else this.deliver(() => this.handler.onData(EMPTY, true));
    this.responseDone();
  }

  /**
   * The response is complete. A request body still being sent is not wanted any more: cancel the
   * stream so it does not hold a slot on the connection (a server need not reset it itself).
   */
  private responseDone(): void {
    this.finished = true;
    const s = this.stream;
    if (s !== undefined && !this.queuedEnd) this.cancel(s);
  }

  onClose(): void {
    this.connection?.streamClosed();
    this.clearTimer();
    if (this.finished) return;
    const s = this.stream!;
    const code = s.rstCode;
    if (code === NGHTTP2_REFUSED_STREAM && !this.responseStarted && this.endStream && !this.retried) {
      // Never processed by the server (RFC 9113 §8.7): safe to send again elsewhere.
      this.retried = true;
      this.stream = undefined;
      this.connection = undefined;
      this.pool.requeue(this);
      return;
    }
    const address = this.connection?.address ?? 'upstream';
    if (code === NGHTTP2_PROTOCOL_ERROR) this.fail('protocol_error', `${address} sent a malformed response (PROTOCOL_ERROR)`);
    else if (code === NGHTTP2_REFUSED_STREAM) this.fail('connection_reset', `${address} refused the stream (REFUSED_STREAM)`);
    else if (code === NGHTTP2_NO_ERROR || code === undefined) this.fail('connection_reset', `${address} closed the stream before the response ended`);
    else this.fail('connection_reset', `${address} reset the stream (code ${code})`);
  }

  /** The request timeout passed (DeadlineSweeper: no timer per request). */
  onDeadline(): void {
    this.timeouts.delete(this);
    const ms = this.timeoutMs;
    if (this.finished) return;
    const s = this.stream;
    if (s === undefined) this.pool.dequeue(this);
    this.fail('timeout', `no complete response within ${ms}ms`);
  }

  private cancel(s: ClientHttp2Stream): void {
    this.cancelled = true;
    if (!s.closed && !s.destroyed) s.close(NGHTTP2_CANCEL);
  }

  private clearTimer(): void {
    if (this.sweepIndex >= 0) this.timeouts.delete(this);
  }
}
