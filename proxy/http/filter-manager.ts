// FilterManager: one stream's trip through its HTTP filters (listener chain, route chain, then the terminal router).
import type { Logger } from '../../lib/log.js';
import { BodyBuffer } from './body-buffer.js';
import type { RequestDecoder, ResetReason, ResponseEncoder } from './codec.js';
import { FilterAction, type HttpFilter, type HttpFilterCallbacks, type HttpFilterFactory, type LocalReply } from './filter.js';
import { HeaderMap } from './header-map.js';
import { LOCAL_ERRORS, LOCAL_ERROR_CONTENT_TYPE, LOCAL_ERROR_HEADER, localErrorBody, type LocalErrorCode } from './local-error.js';
import type { CompiledRoute } from '../router/index.js';
import { localReplyMessage } from './local-reply.js';
import type { StreamInfoImpl } from './stream-info-impl.js';

/** What a stream needs from the listener runtime (one Snapshot) it started on. */
export interface StreamContext {
  readonly logger: Logger;
  /** Largest body a filter may buffer (413 / 500 beyond); also the watermark that pauses reading. */
  readonly maxBufferBytes: number;
  readonly listenerFilters: readonly HttpFilterFactory[];
  /** Prepares request headers before any filter sees them (x-forwarded-*, x-request-id). */
  prepareRequest(headers: HeaderMap, fm: FilterManager): void;
  matchRoute(headers: HeaderMap): CompiledRoute | undefined;
  routeFilters(route: CompiledRoute): readonly HttpFilterFactory[];
  /** The terminal stage the request reaches after every filter (the router). */
  createTerminal(fm: FilterManager): TerminalStage;
  /** The stream ended (once): metrics, logs, Snapshot release. */
  streamComplete(fm: FilterManager): void;
}

/** The end of the request path: receives the filtered request, answers through FilterManager.encode*. */
export interface TerminalStage {
  onRequestHeaders(headers: HeaderMap, endStream: boolean): void;
  onRequestData(chunk: Buffer, endStream: boolean): void;
  onRequestTrailers(trailers: HeaderMap): void;
  /** Pause (true) / resume (false) reading the response from upstream. Calls nest. */
  readDisableUpstream(disable: boolean): void;
  /** The stream ended or was answered locally: drop the upstream request, report nothing more. */
  abort(): void;
}

const REQ = 0;
const RES = 1;
type Dir = typeof REQ | typeof RES;

const NOT_REACHED = 0;
const STOPPED = 1;
const PASSED = 2;

/** Where one direction of the stream stands at one filter. */
class DirState {
  hdr = NOT_REACHED;
  running = false;
  /** Data that arrived while this filter held the headers (not yet seen by it). */
  pending: BodyBuffer | null = null;
  /** Data this filter saw and stopped on (buffering). */
  held: BodyBuffer | null = null;
  /** The end of this direction reached this filter. */
  end = false;
  /** Trailers waiting here: not yet seen (`trailersSeen` false) or seen and stopped on / added here. */
  trailers: HeaderMap | null = null;
  trailersSeen = false;
  /** Creating trailers is allowed (the last body chunk is being processed here). */
  canAddTrailers = false;
  watermark = false;
}

class Slot implements HttpFilterCallbacks {
  readonly rq = new DirState();
  readonly rs = new DirState();
  filter: HttpFilter = NO_FILTER;

  constructor(
    private readonly fm: FilterManager,
    readonly index: number,
    readonly name: string,
    /** Most body bytes this filter may hold: its factory's limit, else the listener's. */
    readonly limit: number,
  ) {}

  get info() {
    return this.fm.info;
  }
  continueRequest(): void {
    this.fm.continueAt(REQ, this.index);
  }
  continueResponse(): void {
    this.fm.continueAt(RES, this.index);
  }
  sendLocalReply(reply: LocalReply): void {
    this.fm.sendLocalReply(this.index, reply);
  }
  resetStream(): void {
    this.fm.resetStream();
  }
  requestHeaders(): HeaderMap | undefined {
    return this.rq.hdr !== NOT_REACHED ? this.fm.requestHeaders : undefined;
  }
  requestTrailers(create?: boolean): HeaderMap | undefined {
    return this.fm.trailersFor(REQ, this, create === true);
  }
  responseHeaders(): HeaderMap | undefined {
    return this.rs.hdr !== NOT_REACHED ? this.fm.responseHeaders : undefined;
  }
  responseTrailers(create?: boolean): HeaderMap | undefined {
    return this.fm.trailersFor(RES, this, create === true);
  }
  bufferedRequestBody(): BodyBuffer | undefined {
    return this.rq.held ?? this.rq.pending ?? undefined;
  }
  bufferedResponseBody(): BodyBuffer | undefined {
    return this.rs.held ?? this.rs.pending ?? undefined;
  }
  clearRouteCache(): void {
    this.fm.clearRouteCache();
  }
}

const NO_FILTER: HttpFilter = Object.freeze({});
const EMPTY = Buffer.alloc(0);

/**
 * Runs one stream through its filters with Envoy's semantics (see HttpFilter in filter.ts):
 * request callbacks in chain order, response callbacks in reverse; Stop on headers holds the
 * direction at that filter (later data and trailers wait there, reading pauses above the buffer
 * limit); Stop on body buffers (413 / 500 above the limit); local replies go through the
 * response callbacks of the filters before the one that sent them; `onStreamComplete` once,
 * never while a callback of the stream is running. Everything is synchronous.
 */
export class FilterManager implements RequestDecoder {
  requestHeaders: HeaderMap | undefined;
  requestTrailers: HeaderMap | undefined;
  responseHeaders: HeaderMap | undefined;
  responseTrailers: HeaderMap | undefined;
  route: CompiledRoute | undefined;
  private routeResolved = false;
  private routeCleared = false;
  private readonly slots: Slot[] = [];
  private terminal: TerminalStage | undefined;

  private reqHeadersEnd = false;
  private resHeadersEnd = false;
  /** No more request processing (local reply sent, or reset). */
  private reqDead = false;
  /** The request's end reached the terminal. */
  private requestEnded = false;
  /** Response callbacks run only for filters below this index (a local reply cuts the chain). */
  private resLimit = Number.MAX_SAFE_INTEGER;
  /** Bumped when a local reply restarts the response path: loops of the old one stop. */
  private resEpoch = 0;
  /** The terminal's response is no longer wanted (a local reply replaced it). */
  private upstreamDetached = false;
  responseHeadersSent = false;
  private responseEnded = false;
  private encoderBlocked = false;
  private downstreamDisables = 0;
  private depth = 0;
  private completePending = false;
  done = false;
  private resetReason: ResetReason | undefined;

  constructor(
    readonly info: StreamInfoImpl,
    readonly encoder: ResponseEncoder,
    private readonly ctx: StreamContext,
  ) {}

  get resetCause(): ResetReason | undefined {
    return this.resetReason;
  }

  /** The terminal stage, once the request head reached it. */
  get terminalStage(): TerminalStage | undefined {
    return this.terminal;
  }

  // --- RequestDecoder (from the codec) ---

  decodeHeaders(headers: HeaderMap, endStream: boolean): void {
    this.requestHeaders = headers;
    this.reqHeadersEnd = endStream;
    this.info.requestHeaderBytes = headers.byteSize();
    this.depth++;
    try {
      this.ctx.prepareRequest(headers, this);
      for (const factory of this.ctx.listenerFilters) this.addSlot(factory);
    } catch (err) {
      this.depth--;
      this.internalError(err, 0);
      return;
    }
    this.depth--;
    if (this.done) return;
    this.runHeaders(REQ, 0);
  }

  decodeData(chunk: Buffer, endStream: boolean): void {
    if (this.done || this.reqDead) return;
    this.info.requestBodyBytes += chunk.length;
    if (this.slots.length === 0 && this.routeResolved) {
      this.sinkRequestChunk(chunk, endStream);
      return;
    }
    const buf = new BodyBuffer();
    buf.append(chunk);
    this.runData(REQ, 0, buf, endStream);
  }

  decodeTrailers(trailers: HeaderMap): void {
    if (this.done || this.reqDead) return;
    this.requestTrailers = trailers;
    this.runTrailers(REQ, 0, trailers);
  }

  onReset(reason: ResetReason): void {
    if (this.done) return;
    this.resetReason = reason;
    this.info.responseCodeDetails ??= `downstream_${reason}`;
    this.reqDead = true;
    this.abortTerminal();
    this.complete();
  }

  onResponseDrain(): void {
    if (this.encoderBlocked) {
      this.encoderBlocked = false;
      this.terminal?.readDisableUpstream(false);
    }
  }

  // --- from the terminal stage (router) ---

  encode1xx(headers: HeaderMap): void {
    if (this.done || this.upstreamDetached || this.responseHeadersSent) return;
    this.encoder.encode1xx(headers);
  }

  encodeHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.done || this.upstreamDetached) return;
    this.responseHeaders = headers;
    this.resHeadersEnd = endStream;
    this.runHeaders(RES, this.resStart());
  }

  encodeData(chunk: Buffer, endStream: boolean): void {
    if (this.done || this.upstreamDetached) return;
    if (this.slots.length === 0) {
      this.sinkResponseChunk(chunk, endStream);
      return;
    }
    const buf = new BodyBuffer();
    buf.append(chunk);
    this.runData(RES, this.resStart(), buf, endStream);
  }

  encodeTrailers(trailers: HeaderMap): void {
    if (this.done || this.upstreamDetached) return;
    this.responseTrailers = trailers;
    this.runTrailers(RES, this.resStart(), trailers);
  }

  /** Flow control of the downstream request (upstream write buffer full). Calls nest. */
  readDisableDownstream(disable: boolean): void {
    if (this.done) return;
    this.downstreamDisables += disable ? 1 : -1;
    this.encoder.readDisable(disable);
  }

  /** The route for the terminal: the cached match, or a fresh one after clearRouteCache(). */
  currentRoute(): CompiledRoute | undefined {
    if (this.routeCleared && this.requestHeaders !== undefined) {
      this.routeCleared = false;
      this.route = this.ctx.matchRoute(this.requestHeaders);
      this.info.routeName = this.route?.name;
    }
    return this.route;
  }

  clearRouteCache(): void {
    this.routeCleared = true;
  }

  /** Answers with one of the proxy's own errors, from the terminal (through every filter's response callbacks). */
  sendLocalError(code: LocalErrorCode, message: string, from = this.slots.length): void {
    this.sendLocalReply(from, {
      status: LOCAL_ERRORS[code],
      body: localErrorBody(code, message),
      headers: [
        ['content-type', LOCAL_ERROR_CONTENT_TYPE],
        [LOCAL_ERROR_HEADER, code],
      ],
      details: code,
    });
  }

  /**
   * Ends the stream with a reply from the proxy, sent through the response callbacks of the
   * filters before `from` (the filter that sent it; the terminal is slots.length). If a filter
   * before `from` already saw the upstream's response head, the reply goes straight to the codec;
   * if the response head already left, the stream is reset instead.
   */
  sendLocalReply(from: number, reply: LocalReply): void {
    if (this.done) return;
    if (this.responseHeadersSent) {
      this.resetStream();
      return;
    }
    let limit = Math.min(from, this.resLimit, this.slots.length);
    for (let k = 0; k < limit; k++) {
      // A filter on the way out already saw (and holds) the upstream's head: as Envoy does, the
      // reply bypasses the filters so that none sees a second response head.
      if (this.slots[k]!.rs.hdr !== NOT_REACHED) limit = 0;
    }
    this.reqDead = true;
    this.releaseWatermarks(REQ);
    this.abortTerminal();
    this.upstreamDetached = true;
    this.resLimit = limit;
    this.resEpoch++;
    for (let k = limit; k < this.slots.length; k++) {
      const s = this.slots[k]!.rs;
      s.pending = s.held = s.trailers = null;
    }
    this.info.responseCodeDetails = reply.details ?? 'local_reply';
    const { headers, body } = localReplyMessage(reply, this.requestHeaders);
    this.responseHeaders = headers;
    this.resHeadersEnd = body.length === 0;
    this.runHeaders(RES, limit - 1);
    if (body.length > 0 && !this.done) {
      const buf = new BodyBuffer();
      buf.append(body);
      this.runData(RES, limit - 1, buf, true);
    }
  }

  /** Aborts the stream now (HTTP/1: the connection closes). */
  resetStream(): void {
    if (this.done) return;
    this.resetReason = 'local_reset';
    this.info.responseCodeDetails ??= 'local_reset';
    this.reqDead = true;
    this.abortTerminal();
    this.encoder.reset('local_reset');
    this.complete();
  }

  // --- filter slots ---

  private addSlot(factory: HttpFilterFactory): void {
    const slot = new Slot(this, this.slots.length, factory.name, factory.maxBufferBytes ?? this.ctx.maxBufferBytes);
    this.slots.push(slot);
    slot.filter = factory.create(slot);
  }

  private resStart(): number {
    return Math.min(this.slots.length, this.resLimit) - 1;
  }

  private stale(dir: Dir, epoch: number): boolean {
    return this.done || (dir === REQ ? this.reqDead : this.resEpoch !== epoch);
  }

  continueAt(dir: Dir, i: number): void {
    if (this.done || (dir === REQ ? this.reqDead : i >= this.resLimit)) return;
    const slot = this.slots[i];
    if (slot === undefined) return;
    const s = dir === REQ ? slot.rq : slot.rs;
    if (s.running) return;
    const step = dir === REQ ? 1 : -1;
    const epoch = this.resEpoch;
    if (s.hdr === STOPPED) {
      s.hdr = PASSED;
      this.runHeaders(dir, i + step);
      if (this.stale(dir, epoch)) return;
      if (s.pending !== null) {
        const p = s.pending;
        s.pending = null;
        if (s.watermark) {
          s.watermark = false;
          this.readDisable(dir, false);
        }
        this.runData(dir, i, p, s.end && s.trailers === null);
        if (this.stale(dir, epoch)) return;
      }
      if (s.trailers !== null && !s.trailersSeen) {
        const t = s.trailers;
        s.trailers = null;
        this.runTrailers(dir, i, t);
      }
      return;
    }
    if (s.trailers !== null && s.trailersSeen) {
      const t = s.trailers;
      s.trailers = null;
      s.trailersSeen = false;
      if (s.held !== null) {
        const h = s.held;
        s.held = null;
        this.runData(dir, i + step, h, false);
        if (this.stale(dir, epoch)) return;
      }
      this.runTrailers(dir, i + step, t);
      return;
    }
    if (s.held !== null) {
      const h = s.held;
      s.held = null;
      this.runData(dir, i + step, h, s.end);
    }
  }

  trailersFor(dir: Dir, slot: Slot, create: boolean): HeaderMap | undefined {
    const existing = dir === REQ ? this.requestTrailers : this.responseTrailers;
    if (existing !== undefined || !create) return existing;
    const s = dir === REQ ? slot.rq : slot.rs;
    if (!s.canAddTrailers) return undefined;
    const t = new HeaderMap();
    if (dir === REQ) this.requestTrailers = t;
    else this.responseTrailers = t;
    s.trailers = t;
    s.trailersSeen = true;
    return t;
  }

  private runHeaders(dir: Dir, start: number): void {
    const epoch = this.resEpoch;
    const step = dir === REQ ? 1 : -1;
    for (let i = start; ; i += step) {
      if (dir === REQ) {
        if (i >= this.slots.length) {
          if (!this.routeResolved) {
            this.resolveRoute();
            if (this.stale(dir, epoch)) return;
            if (i < this.slots.length) {
              i -= step;
              continue;
            }
          }
          this.sinkRequestHeaders();
          return;
        }
      } else if (i < 0) {
        this.sinkResponseHeaders();
        return;
      }
      const slot = this.slots[i]!;
      const s = dir === REQ ? slot.rq : slot.rs;
      s.hdr = PASSED;
      s.running = true;
      this.depth++;
      let r: FilterAction | undefined;
      try {
        r =
          dir === REQ
            ? slot.filter.onRequestHeaders?.(this.requestHeaders!, this.reqHeadersEnd)
            : slot.filter.onResponseHeaders?.(this.responseHeaders!, this.resHeadersEnd);
      } catch (err) {
        r = this.filterThrew(slot, err);
      } finally {
        s.running = false;
        this.depth--;
      }
      if (r === FilterAction.Stop) s.hdr = STOPPED;
      if (this.afterCallback() || this.stale(dir, epoch)) return;
      if (s.hdr === STOPPED) return;
    }
  }

  private runData(dir: Dir, start: number, buf: BodyBuffer, end: boolean): void {
    const epoch = this.resEpoch;
    const step = dir === REQ ? 1 : -1;
    for (let i = start; ; i += step) {
      if (dir === REQ ? i >= this.slots.length : i < 0) {
        if (dir === REQ) this.sinkRequestData(buf, end);
        else this.sinkResponseData(buf, end);
        return;
      }
      const slot = this.slots[i]!;
      const s = dir === REQ ? slot.rq : slot.rs;
      if (end) s.end = true;
      if (s.hdr !== PASSED) {
        if (s.pending === null) s.pending = buf;
        else s.pending.move(buf);
        if (!s.watermark && s.pending.length > slot.limit) {
          s.watermark = true;
          this.readDisable(dir, true);
        }
        return;
      }
      let target = buf;
      if (s.held !== null) {
        s.held.move(buf);
        target = s.held;
        s.held = null;
      }
      const hasCallback = dir === REQ ? slot.filter.onRequestBody !== undefined : slot.filter.onResponseBody !== undefined;
      if (!hasCallback) {
        buf = target;
        continue;
      }
      s.running = true;
      s.canAddTrailers = end;
      this.depth++;
      let r: FilterAction | undefined;
      try {
        r = dir === REQ ? slot.filter.onRequestBody!(target, end) : slot.filter.onResponseBody!(target, end);
      } catch (err) {
        r = this.filterThrew(slot, err);
      } finally {
        s.running = false;
        s.canAddTrailers = false;
        this.depth--;
      }
      if (this.afterCallback() || this.stale(dir, epoch)) return;
      if (r === FilterAction.Stop) {
        s.held = target;
        if (target.length > slot.limit) this.bufferOverflow(dir, i);
        return;
      }
      buf = target;
      if (end && s.trailers !== null && s.trailersSeen) {
        // The filter added trailers while handling the last chunk: the body no longer ends the stream.
        const t = s.trailers;
        s.trailers = null;
        s.trailersSeen = false;
        this.runData(dir, i + step, buf, false);
        if (this.stale(dir, epoch)) return;
        this.runTrailers(dir, i + step, t);
        return;
      }
    }
  }

  private runTrailers(dir: Dir, start: number, trailers: HeaderMap): void {
    const epoch = this.resEpoch;
    const step = dir === REQ ? 1 : -1;
    for (let i = start; ; i += step) {
      if (dir === REQ ? i >= this.slots.length : i < 0) {
        if (dir === REQ) this.sinkRequestTrailers(trailers);
        else this.sinkResponseTrailers(trailers);
        return;
      }
      const slot = this.slots[i]!;
      const s = dir === REQ ? slot.rq : slot.rs;
      s.end = true;
      if (s.hdr !== PASSED) {
        s.trailers = trailers;
        s.trailersSeen = false;
        return;
      }
      const hasCallback = dir === REQ ? slot.filter.onRequestTrailers !== undefined : slot.filter.onResponseTrailers !== undefined;
      let r: FilterAction | undefined;
      if (hasCallback) {
        s.running = true;
        this.depth++;
        try {
          r = dir === REQ ? slot.filter.onRequestTrailers!(trailers) : slot.filter.onResponseTrailers!(trailers);
        } catch (err) {
          r = this.filterThrew(slot, err);
        } finally {
          s.running = false;
          this.depth--;
        }
        if (this.afterCallback() || this.stale(dir, epoch)) return;
      }
      if (r === FilterAction.Stop) {
        s.trailers = trailers;
        s.trailersSeen = true;
        return;
      }
      if (s.held !== null) {
        const h = s.held;
        s.held = null;
        this.runData(dir, i + step, h, false);
        if (this.stale(dir, epoch)) return;
      }
    }
  }

  private resolveRoute(): void {
    this.routeResolved = true;
    const headers = this.requestHeaders!;
    const before = this.slots.length;
    this.depth++;
    try {
      this.route = this.ctx.matchRoute(headers);
      this.info.routeName = this.route?.name;
      if (this.route?.filterChain !== undefined) {
        for (const factory of this.ctx.routeFilters(this.route)) this.addSlot(factory);
      }
    } catch (err) {
      this.depth--;
      this.internalError(err, before);
      return;
    }
    this.depth--;
  }

  private bufferOverflow(dir: Dir, i: number): void {
    const limit = this.slots[i]!.limit;
    if (dir === REQ) {
      this.sendLocalError('payload_too_large', `request body larger than the ${limit}-byte buffer limit`, i);
    } else if (!this.responseHeadersSent) {
      this.sendLocalError('response_buffer_overflow', `response body larger than the ${limit}-byte buffer limit`, i);
    } else {
      this.resetStream();
    }
  }

  private readDisable(dir: Dir, disable: boolean): void {
    if (dir === REQ) this.readDisableDownstream(disable);
    else this.terminal?.readDisableUpstream(disable);
  }

  private releaseWatermarks(dir: Dir): void {
    for (const slot of this.slots) {
      const s = dir === REQ ? slot.rq : slot.rs;
      s.pending = null;
      if (s.watermark) {
        s.watermark = false;
        this.readDisable(dir, false);
      }
    }
  }

  // --- sinks ---

  private sinkRequestHeaders(): void {
    if (this.terminal === undefined) {
      this.depth++;
      try {
        this.terminal = this.ctx.createTerminal(this);
        this.terminal.onRequestHeaders(this.requestHeaders!, this.reqHeadersEnd);
      } catch (err) {
        this.depth--;
        this.internalError(err, this.slots.length);
        return;
      }
      this.depth--;
    }
    if (this.reqHeadersEnd) this.requestEnded = true;
    this.afterCallback();
  }

  private sinkRequestChunk(chunk: Buffer, end: boolean): void {
    if (end) this.requestEnded = true;
    this.terminal?.onRequestData(chunk, end);
    if (end) this.maybeComplete();
  }

  private sinkRequestData(buf: BodyBuffer, end: boolean): void {
    const parts = buf.parts();
    if (parts.length === 0) {
      if (end) this.sinkRequestChunk(EMPTY, true);
      return;
    }
    for (let k = 0; k < parts.length; k++) this.sinkRequestChunk(parts[k]!, end && k === parts.length - 1);
  }

  private sinkRequestTrailers(trailers: HeaderMap): void {
    this.requestEnded = true;
    this.terminal?.onRequestTrailers(trailers);
    this.maybeComplete();
  }

  private sinkResponseHeaders(): void {
    const headers = this.responseHeaders!;
    this.responseHeadersSent = true;
    this.info.responseCode = Number(headers.get(':status')) | 0;
    this.info.responseHeaderBytes = headers.byteSize();
    this.encoder.encodeHeaders(headers, this.resHeadersEnd);
    if (this.resHeadersEnd) this.responseComplete();
  }

  private sinkResponseChunk(chunk: Buffer, end: boolean): void {
    this.info.responseBodyBytes += chunk.length;
    const ok = this.encoder.encodeData(chunk, end);
    if (end) {
      this.responseComplete();
    } else if (!ok && !this.encoderBlocked) {
      this.encoderBlocked = true;
      this.terminal?.readDisableUpstream(true);
    }
  }

  private sinkResponseData(buf: BodyBuffer, end: boolean): void {
    const parts = buf.parts();
    if (parts.length === 0) {
      if (end) this.sinkResponseChunk(EMPTY, true);
      return;
    }
    for (let k = 0; k < parts.length && !this.done; k++) this.sinkResponseChunk(parts[k]!, end && k === parts.length - 1);
  }

  private sinkResponseTrailers(trailers: HeaderMap): void {
    this.encoder.encodeTrailers(trailers);
    this.responseComplete();
  }

  private responseComplete(): void {
    this.responseEnded = true;
    this.maybeComplete();
  }

  private maybeComplete(): void {
    if (this.done || !this.responseEnded) return;
    if (this.requestEnded || this.reqDead) {
      this.complete();
      return;
    }
    // A tunnel ends when both directions have; a plain response ends the stream (the rest of the request is dropped).
    if (this.encoder.isUpgrade) return;
    this.reqDead = true;
    this.abortTerminal();
    this.complete();
  }

  private abortTerminal(): void {
    const t = this.terminal;
    if (t === undefined) return;
    try {
      t.abort();
    } catch (err) {
      this.ctx.logger.error({ err, stream: this.info.requestId }, 'router abort failed');
    }
  }

  private complete(): void {
    if (this.done) return;
    this.done = true;
    if (this.depth > 0) {
      this.completePending = true;
      return;
    }
    this.finish();
  }

  /** After a callback returned: runs a completion that waited for it. True when the stream is over. */
  private afterCallback(): boolean {
    if (this.completePending && this.depth === 0) {
      this.completePending = false;
      this.finish();
    }
    return this.done;
  }

  private finish(): void {
    while (this.downstreamDisables > 0) {
      this.downstreamDisables--;
      this.encoder.readDisable(false);
    }
    for (const slot of this.slots) {
      try {
        slot.filter.onStreamComplete?.();
      } catch (err) {
        this.ctx.logger.error({ err, filter: slot.name, stream: this.info.requestId }, 'filter onStreamComplete threw');
      }
    }
    this.ctx.streamComplete(this);
  }

  private filterThrew(slot: Slot, err: unknown): FilterAction {
    this.ctx.logger.error({ err, filter: slot.name, stream: this.info.requestId }, 'filter callback threw; ending the stream');
    this.sendLocalError('internal_error', `filter "${slot.name}" failed`, slot.index);
    return FilterAction.Stop;
  }

  private internalError(err: unknown, from: number): void {
    this.ctx.logger.error({ err, stream: this.info.requestId }, 'stream processing failed');
    this.sendLocalError('internal_error', 'the proxy failed to process the request', from);
  }
}
