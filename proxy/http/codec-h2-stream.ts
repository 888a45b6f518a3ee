// One HTTP/2 server stream: node:http2 stream events -> RequestDecoder calls; ResponseEncoder calls -> frames.
import { constants, type ServerHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import type { Logger } from '../../lib/log.js';
import type { RequestDecoder, ResetReason, ResponseEncoder } from './codec.js';
import type { DeadlineSweeper, Expirable } from './deadline-sweeper.js';
import { grpcLocalReplyFields, grpcStatusForHttp, isGrpcContentType } from './grpc.js';
import { HeaderMap } from './header-map.js';
import { headersFromH2, toH2Headers } from './h2-headers.js';
import { LOCAL_ERRORS, LOCAL_ERROR_CONTENT_TYPE, LOCAL_ERROR_HEADER, localErrorBody, type LocalErrorCode } from './local-error.js';
import { onRemoteEnd } from './h2-stream-end.js';

const EMPTY = Buffer.alloc(0);
const {
  NGHTTP2_NO_ERROR,
  NGHTTP2_PROTOCOL_ERROR,
  NGHTTP2_INTERNAL_ERROR,
  NGHTTP2_FLOW_CONTROL_ERROR,
  NGHTTP2_CANCEL,
  NGHTTP2_ENHANCE_YOUR_CALM,
} = constants;

/** What a stream needs from its connection. */
export interface StreamOwner {
  readonly logger: Logger | undefined;
  /** The connection is being destroyed by Weft (streams end with local_reset). */
  readonly destroying: boolean;
  /** Where request timeouts are watched. */
  readonly sweeper: DeadlineSweeper;
  streamClosed(stream: Http2ServerStream): void;
}

// node:http2 stream events go to module-level functions that find the bridge through this key:
// no closure per stream and event.
const kOwner = Symbol('weft.h2.serverStream');
type Owned = ServerHttp2Stream & { [kOwner]: Http2ServerStream };
function onStreamError(this: Owned, e: Error & { code?: string }): void {
  this[kOwner].onError(e);
}
function onStreamClose(this: Owned): void {
  this[kOwner].onClose();
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

/** RST_STREAM code for a ResetReason Weft sends. */
function rstCodeFor(reason: ResetReason): number {
  switch (reason) {
    case 'protocol_error':
      return NGHTTP2_PROTOCOL_ERROR;
    case 'overflow':
      return NGHTTP2_ENHANCE_YOUR_CALM;
    case 'connection_timeout':
      return NGHTTP2_CANCEL;
    default:
      return NGHTTP2_INTERNAL_ERROR;
  }
}

/** ResetReason for a stream that closed with RST_STREAM `code`. */
function reasonForRstCode(code: number | undefined): ResetReason {
  switch (code) {
    case NGHTTP2_PROTOCOL_ERROR:
      return 'protocol_error';
    case NGHTTP2_FLOW_CONTROL_ERROR:
    case NGHTTP2_ENHANCE_YOUR_CALM:
      return 'overflow';
    default:
      return 'remote_reset';
  }
}

/**
 * Bridges one node:http2 server stream and the connection manager.
 *
 * Request side: `decodeHeaders` once, each DATA chunk as `decodeData(chunk, false)`, then either
 * `decodeTrailers` or a final empty `decodeData(EMPTY, true)` (node reports the end of a body only
 * after its last chunk). Response side: the response is opened with `waitForTrailers` (trailers
 * that arrive late still go out; without trailers the stream ends with an empty DATA frame) unless
 * it cannot have trailers worth the cost: a non-gRPC response with content-length to a request
 * that already ended. Trailers that come anyway after such a head are dropped (logged). A cut
 * body can still never look complete: node:http2 clients check content-length.
 *
 * `onReset` reaches the decoder once when the stream closes before both directions completed, or
 * when the connection manager's own callbacks threw — but not for resets the manager asked for
 * with `reset()`.
 */
export class Http2ServerStream implements ResponseEncoder, Expirable {
  readonly isUpgrade = false;
  readonly stream: ServerHttp2Stream;
  private readonly owner: StreamOwner;
  private decoder: RequestDecoder | undefined;
  private readonly headRequest: boolean;
  private readonly grpc: boolean;
  private readDisabled = 0;
  private headersSent = false;
  /** The response's last frame is queued (END_STREAM, or trailers pending `wantTrailers`). */
  private responseEnded = false;
  private requestEnded: boolean;
  private requestTrailers: HeaderMap | undefined;
  private responseTrailers: OutgoingHttpHeaders | undefined;
  /** reset() was called, or the stream was answered locally by the codec: the decoder is told nothing more. */
  private detached = false;
  private timedOut = false;
  /** RST_STREAM was asked for: node may still ask for trailers, which must not go out (see onWantTrailers). */
  private resetting = false;
  /** The response was opened without waitForTrailers. */
  private noTrailers = false;
  /** A 'drain' listener is waiting (added when a write says the buffer is full). */
  private drainArmed = false;
  private requestTimeoutMs = 0;
  /** Expirable: when the request timeout passes (0: none), and the sweeper's slot. */
  deadline = 0;
  sweepIndex = -1;

  constructor(stream: ServerHttp2Stream, owner: StreamOwner, endStream: boolean, headRequest: boolean, grpc: boolean) {
    this.stream = stream;
    this.owner = owner;
    this.requestEnded = endStream;
    this.headRequest = headRequest;
    this.grpc = grpc;
    (stream as Owned)[kOwner] = this;
    stream.on('error', onStreamError);
    stream.on('close', onStreamClose);
  }

  /** Hands the request headers to the decoder (after attach). */
  deliverHeaders(headers: HeaderMap, endStream: boolean): void {
    this.call((d) => d.decodeHeaders(headers, endStream));
  }

  /** Connects the stream to `decoder`: body, trailers and resets go to it from now on. */
  attach(decoder: RequestDecoder, requestTimeoutMs: number): void {
    this.decoder = decoder;
    const s = this.stream;
    if (!this.requestEnded) {
      s.on('data', onStreamData);
      s.on('trailers', onStreamTrailers);
      onRemoteEnd(s, (complete) => {
        // A request cut short by RST_STREAM(NO_ERROR) is not complete: 'close' reports the reset.
        if (complete) this.onRequestEnd();
      });
      if (requestTimeoutMs > 0) {
        const sweeper = this.owner.sweeper;
        this.requestTimeoutMs = requestTimeoutMs;
        sweeper.add(this);
        this.deadline = sweeper.deadlineIn(requestTimeoutMs);
      }
    } else {
      // Nothing will be read, but the readable side must still end for node to close the stream.
      s.resume();
    }
  }

  // ResponseEncoder

  encode1xx(headers: HeaderMap): void {
    if (this.headersSent || !this.writable()) return;
    const status = Number(headers.get(':status'));
    // 101 does not exist in HTTP/2 (RFC 9113 §8.6).
    if (!(status >= 100 && status < 200) || status === 101) return;
    try {
      this.stream.additionalHeaders(toH2Headers(headers, 'response'));
    } catch (e) {
      this.owner.logger?.debug({ err: (e as Error).message }, 'http2 1xx not sent');
    }
  }

  encodeHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.headersSent || !this.writable()) return;
    this.headersSent = true;
    const status = Number(headers.get(':status'));
    // No body may follow these (node would end the stream itself and then fail later writes).
    const bodyless = this.headRequest || status === 204 || status === 205 || status === 304;
    const end = endStream || bodyless;
    try {
      const out = toH2Headers(headers, 'response');
      // HTTP/2 peers treat content-length on a 204 as malformed (RFC 9110 §8.6).
      if (status === 204) delete out['content-length'];
      if (end) this.stream.respond(out, { endStream: true });
      else if (this.mayHaveTrailers(headers)) this.respondWaitingForTrailers(out);
      else this.stream.respond(out);
    } catch (e) {
      // An invalid header value from upstream: the response cannot be expressed; reset the stream.
      this.owner.logger?.warn({ err: (e as Error).message, stream: this.stream.id }, 'http2 response headers rejected');
      this.rst(NGHTTP2_INTERNAL_ERROR);
      return;
    }
    if (end) {
      this.responseEnded = true;
      this.responseFinished();
    }
  }

  encodeData(chunk: Buffer, endStream: boolean): boolean {
    if (!this.headersSent || this.responseEnded || !this.writable()) return true;
    if (endStream) {
      this.responseEnded = true;
      if (chunk.length > 0) this.stream.end(chunk);
      else this.stream.end();
      return true;
    }
    if (chunk.length === 0) return true;
    if (this.stream.write(chunk)) return true;
    if (!this.drainArmed) {
      this.drainArmed = true;
      this.stream.once('drain', onStreamDrain);
    }
    return false;
  }

  encodeTrailers(trailers: HeaderMap): void {
    if (!this.headersSent || this.responseEnded || !this.writable()) return;
    this.responseEnded = true;
    if (this.noTrailers) this.owner.logger?.debug({ stream: this.stream.id }, 'http2 response trailers dropped after a content-length head');
    else this.responseTrailers = toH2Headers(trailers, 'none');
    this.stream.end();
  }

  /**
   * Whether to open the response with waitForTrailers (about 10 µs per response in node:http2).
   * Skipped only when trailers are not expected and the stream's end needs no signal: a response
   * with content-length, not gRPC, to a request already complete.
   */
  private mayHaveTrailers(headers: HeaderMap): boolean {
    if (!this.requestEnded || this.grpc || !headers.has('content-length') || isGrpcContentType(headers.get('content-type'))) return true;
    this.noTrailers = true;
    return false;
  }

  reset(reason: ResetReason): void {
    this.detached = true;
    this.clearTimer();
    if (!this.stream.closed && !this.stream.destroyed) this.rst(rstCodeFor(reason));
  }

  readDisable(disable: boolean): void {
    if (disable) {
      if (this.readDisabled++ === 0 && !this.requestEnded) this.stream.pause();
    } else if (this.readDisabled > 0 && --this.readDisabled === 0 && !this.requestEnded) {
      this.stream.resume();
    }
  }

  /** Answers the stream from the codec itself (malformed request, limits, request timeout). */
  localReply(code: LocalErrorCode, message: string): void {
    const status = LOCAL_ERRORS[code];
    this.detached = true;
    this.clearTimer();
    if (this.headersSent || !this.writable()) {
      this.rst(NGHTTP2_CANCEL);
      return;
    }
    this.headersSent = true;
    this.responseEnded = true;
    const s = this.stream;
    try {
      if (this.grpc) {
        const fields = grpcLocalReplyFields(grpcStatusForHttp(status), message, [[LOCAL_ERROR_HEADER, code]]);
        s.respond(toH2Headers(new HeaderMap(fields), 'response'), { endStream: true });
      } else {
        const body = localErrorBody(code, message);
        const headers = { ':status': status, 'content-type': LOCAL_ERROR_CONTENT_TYPE, 'content-length': body.length, [LOCAL_ERROR_HEADER]: code };
        this.respondWaitingForTrailers(headers);
        s.end(body); // onWantTrailers ends it and calls responseFinished()
      }
    } catch {
      this.rst(NGHTTP2_INTERNAL_ERROR);
    }
    if (this.grpc) this.responseFinished();
    // Request bytes still arriving are dropped until the stream ends.
    if (!this.requestEnded) s.resume();
  }

  // Internals

  private rst(code: number): void {
    this.resetting = true;
    if (!this.stream.closed && !this.stream.destroyed) this.stream.close(code);
  }

  private writable(): boolean {
    return !this.stream.closed && !this.stream.destroyed;
  }

  private respondWaitingForTrailers(headers: OutgoingHttpHeaders): void {
    this.stream.respond(headers, { waitForTrailers: true });
    this.stream.on('wantTrailers', onStreamWantTrailers);
  }

  onDrain(): void {
    this.drainArmed = false;
    this.call((d) => d.onResponseDrain?.());
  }

  onTrailers(raw: string[]): void {
    this.requestTrailers = headersFromH2(raw);
  }

  onError(e: Error & { code?: string }): void {
    this.owner.logger?.debug({ err: e.message, code: e.code, stream: this.stream.id }, 'http2 stream error');
  }

  /** A request body chunk (the hot path: no closure per chunk). */
  onData(chunk: Buffer): void {
    const d = this.decoder;
    if (d === undefined || this.detached) return;
    try {
      d.decodeData(chunk, false);
    } catch (e) {
      this.handlerThrew(d, e);
    }
  }

  /**
   * Runs a decoder callback. A throw is a Weft bug in the connection manager: log it, reset this
   * stream only (the connection and the process live on).
   */
  private call(fn: (d: RequestDecoder) => void): void {
    const d = this.decoder;
    if (d === undefined || this.detached) return;
    try {
      fn(d);
    } catch (e) {
      this.handlerThrew(d, e);
    }
  }

  private handlerThrew(d: RequestDecoder, e: unknown): void {
    this.owner.logger?.error({ err: e, stream: this.stream.id }, 'http2 stream handler threw; resetting the stream');
    this.detached = true;
    this.clearTimer();
    try {
      d.onReset('local_reset');
    } catch {
      // Already failing; the stream is reset below either way.
    }
    this.rst(NGHTTP2_INTERNAL_ERROR);
  }

  private onRequestEnd(): void {
    if (this.requestEnded) return;
    this.requestEnded = true;
    this.clearTimer();
    const t = this.requestTrailers;
    if (t !== undefined) {
      this.requestTrailers = undefined;
      this.call((d) => d.decodeTrailers(t));
    } else {
      this.call((d) => d.decodeData(EMPTY, true));
    }
  }

  onWantTrailers(): void {
    // node ends the writable side before it sends RST_STREAM; answering this with trailers would
    // end the response cleanly (END_STREAM) and a client would take a cut body as complete.
    if (this.resetting || this.stream.closed) return;
    const t = this.responseTrailers;
    this.responseTrailers = undefined;
    try {
      // Empty trailers: node sends an empty DATA frame with END_STREAM instead.
      this.stream.sendTrailers(t ?? {});
    } catch (e) {
      this.owner.logger?.warn({ err: (e as Error).message, stream: this.stream.id }, 'http2 response trailers rejected');
      this.rst(NGHTTP2_INTERNAL_ERROR);
      return;
    }
    // 'wantTrailers' comes once every DATA frame went to nghttp2: the last frame is now queued.
    this.responseFinished();
  }

  /** The request timeout passed (DeadlineSweeper: no timer per stream). */
  onDeadline(): void {
    this.owner.sweeper.delete(this);
    const ms = this.requestTimeoutMs;
    if (this.requestEnded || this.detached) return;
    this.timedOut = true;
    const d = this.decoder;
    this.localReply('request_timeout', `the request was not received within ${ms} ms`);
    if (d) {
      try {
        d.onReset('connection_timeout');
      } catch (e) {
        this.owner.logger?.error({ err: e }, 'http2 stream reset handler threw');
      }
    }
  }

  /**
   * The response's last frame is queued. A request still being sent is not wanted any more: end
   * the stream with RST_STREAM(NO_ERROR), as RFC 9113 §8.1 allows (queued after the last frame,
   * so the client sees the whole response first). The decoder then gets onReset('local_reset').
   */
  private responseFinished(): void {
    if (!this.requestEnded && !this.stream.closed && !this.stream.destroyed) this.stream.close(NGHTTP2_NO_ERROR);
  }

  onClose(): void {
    this.clearTimer();
    const complete = this.responseEnded && this.requestEnded;
    if (!complete && !this.detached && this.decoder !== undefined) {
      this.detached = true;
      const rst = this.stream.rstCode;
      const reason: ResetReason = this.owner.destroying
        ? 'local_reset'
        : this.timedOut
          ? 'connection_timeout'
          : this.responseEnded && rst === NGHTTP2_NO_ERROR
            ? 'local_reset' // responseFinished() ended a request nobody reads any more
            : reasonForRstCode(rst);
      const d = this.decoder;
      try {
        d.onReset(reason);
      } catch (e) {
        this.owner.logger?.error({ err: e }, 'http2 stream reset handler threw');
      }
    }
    this.owner.streamClosed(this);
  }

  private clearTimer(): void {
    if (this.sweepIndex >= 0) this.owner.sweeper.delete(this);
  }
}
