// One HTTP stream through a plugin's filter, driven by the test the way the proxy's filter chain drives it.
import {
  FilterAction,
  type BodyBuffer,
  HeaderMap,
  type ConnectionInfo,
  type HttpFilter,
  type HttpFilterCallbacks,
  type LocalReply,
  type StreamInfo,
} from '../../proxy/wasm/index.js';
import { toBytes, toHeaderMap, type BodyInit, type HeadersInit } from './headers.js';
import { StreamSide } from './stream-side.js';

export { StreamSide } from './stream-side.js';

/**
 * What a filter callback answered, as the proxy sees it: `continue` passes the stream on; `stop`
 * holds it at the filter (the filter returned `Action.Pause`, or answered with a local response).
 */
export type StreamAction = 'continue' | 'stop';

/** A response the filter (or the harness, for a buffer overflow) generated instead of the upstream's. */
export interface LocalResponse {
  readonly status: number;
  readonly headers: HeaderMap;
  readonly body: Buffer;
  /** The body as UTF-8. */
  readonly text: string;
  /** Why (proxy-wasm `details`), e.g. "rate_limited". */
  readonly details: string | undefined;
  readonly grpcStatus: number | undefined;
}

export interface HttpStreamOptions {
  /** The downstream connection (defaults: client 192.0.2.10:52000, listener "ingress" at 192.0.2.1:8080). */
  readonly connection?: Partial<ConnectionInfo>;
  readonly protocol?: StreamInfo['protocol'];
  readonly routeName?: string;
  readonly clusterName?: string;
  readonly requestId?: string;
}

/** Request or response parts for the one-shot helpers. */
export interface MessageInit {
  readonly headers?: HeadersInit;
  /** One body, or chunks sent one callback each. */
  readonly body?: BodyInit | readonly BodyInit[];
  readonly trailers?: HeadersInit;
}

let nextConnectionId = 1;
let nextRequestId = 1;

/**
 * One stream through the filter under test. `send…` calls run the filter's callback and return
 * its action; afterwards `request` and `response` say what the filter changed, held and passed on,
 * and `localResponse` what it answered itself. The stream follows the proxy's filter-chain
 * contract for one filter: while the filter holds the headers, body and trailers are buffered and
 * given to it once it resumes; the stream completes (on_done, on_log, on_delete) when the
 * response end has passed, after a local response, or on `reset()`.
 *
 * @example
 * const s = h.http();
 * assert.equal(s.sendRequestHeaders({ ':path': '/', authorization: 'Bearer x' }, true), 'continue');
 * assert.equal(s.request.headers?.get('x-user'), 'alice');
 * s.sendResponseHeaders({ ':status': '200' }, true);
 * assert.ok(s.completed);
 */
export class HttpStream implements HttpFilterCallbacks {
  readonly info: StreamInfo;
  readonly request = new StreamSide();
  readonly response = new StreamSide();
  /** The local response the filter sent, if any. */
  localResponse: LocalResponse | undefined;
  /** The stream was reset (by the filter's close_stream, a reply after the response began, or `reset()`). */
  wasReset = false;
  /** onStreamComplete ran (the plugin got on_done / on_log / on_delete). */
  completed = false;
  /** Times the filter asked to clear the route cache. */
  routeCacheCleared = 0;
  private filter: HttpFilter | undefined;
  private depth = 0;
  private completePending = false;

  constructor(
    private readonly makeFilter: (callbacks: HttpFilterCallbacks) => HttpFilter,
    private readonly maxBufferBytes: number,
    clockNowMs: number,
    clockMonoMs: number,
    options: HttpStreamOptions = {},
  ) {
    this.info = {
      connection: {
        id: nextConnectionId++,
        listenerName: 'ingress',
        remoteAddress: '192.0.2.10',
        remotePort: 52000,
        localAddress: '192.0.2.1',
        localPort: 8080,
        ...options.connection,
      },
      requestId: options.requestId ?? `req-${nextRequestId++}`,
      startTime: clockNowMs,
      startMonotonic: clockMonoMs,
      protocol: options.protocol ?? 'HTTP/1.1',
      ...(options.routeName !== undefined ? { routeName: options.routeName } : {}),
      ...(options.clusterName !== undefined ? { clusterName: options.clusterName } : {}),
      requestBodyBytes: 0,
      responseBodyBytes: 0,
      requestHeaderBytes: 0,
      responseHeaderBytes: 0,
      filterState: new Map(),
    };
  }

  /** The filter (created on the first callback, as the proxy creates it when the stream starts). */
  private get f(): HttpFilter {
    this.filter ??= this.makeFilter(this);
    return this.filter;
  }

  /** @internal Creates the filter now (the stream's context exists before any callback). */
  start(): void {
    void this.f;
  }

  // ---- what the test sends ----

  /** Request headers from the client. Defaults for missing pseudo-headers: GET, http, example.com, /. */
  sendRequestHeaders(headers: HeadersInit, endOfStream = false): StreamAction {
    const map = toHeaderMap(headers);
    for (const [k, v] of [[':method', 'GET'], [':scheme', 'http'], [':authority', 'example.com'], [':path', '/']] as const) if (!map.has(k)) map.add(k, v);
    this.info.requestHeaderBytes = map.byteSize();
    return this.op(() => this.headers(this.request, map, endOfStream));
  }

  /** A request body chunk. */
  sendRequestBody(chunk: BodyInit, endOfStream = false): StreamAction {
    const b = toBytes(chunk);
    this.info.requestBodyBytes += b.length;
    return this.op(() => this.body(this.request, b, endOfStream));
  }

  sendRequestTrailers(trailers: HeadersInit): StreamAction {
    return this.op(() => this.trailersIn(this.request, toHeaderMap(trailers)));
  }

  /** Response headers from the upstream (`:status` defaults to 200). */
  sendResponseHeaders(headers: HeadersInit, endOfStream = false): StreamAction {
    const map = toHeaderMap(headers);
    if (!map.has(':status')) map.add(':status', '200');
    this.info.responseHeaderBytes = map.byteSize();
    return this.op(() => this.headers(this.response, map, endOfStream));
  }

  sendResponseBody(chunk: BodyInit, endOfStream = false): StreamAction {
    return this.op(() => this.body(this.response, toBytes(chunk), endOfStream));
  }

  sendResponseTrailers(trailers: HeadersInit): StreamAction {
    return this.op(() => this.trailersIn(this.response, toHeaderMap(trailers)));
  }

  /**
   * Sends a whole request (headers, body chunks, trailers; end of stream on the last part) and
   * stops early if the filter answers locally. Returns the action of the last callback run.
   */
  sendRequest(init: MessageInit = {}): StreamAction {
    return this.sendMessage(this.request, init);
  }

  /** Sends a whole response, like `sendRequest`. */
  sendResponse(init: MessageInit = {}): StreamAction {
    return this.sendMessage(this.response, init);
  }

  private sendMessage(side: StreamSide, init: MessageInit): StreamAction {
    const req = side === this.request;
    const chunks = init.body === undefined ? [] : Array.isArray(init.body) ? (init.body as BodyInit[]) : [init.body as BodyInit];
    const nonEmpty = chunks.filter((c) => c.length > 0);
    const hasTrailers = init.trailers !== undefined;
    let action = req
      ? this.sendRequestHeaders(init.headers ?? {}, nonEmpty.length === 0 && !hasTrailers)
      : this.sendResponseHeaders(init.headers ?? {}, nonEmpty.length === 0 && !hasTrailers);
    for (let i = 0; i < nonEmpty.length && !this.completed; i++) {
      const last = i === nonEmpty.length - 1 && !hasTrailers;
      action = req ? this.sendRequestBody(nonEmpty[i]!, last) : this.sendResponseBody(nonEmpty[i]!, last);
    }
    if (hasTrailers && !this.completed) action = req ? this.sendRequestTrailers(init.trailers!) : this.sendResponseTrailers(init.trailers!);
    return action;
  }

  /** The client went away: the stream ends now (the plugin gets on_done, on_log, on_delete). */
  reset(): void {
    this.wasReset = true;
    this.complete();
  }

  /** What the client received: the local response, or the response as the filter passed it on. */
  get clientStatus(): number | undefined {
    if (this.localResponse) return this.localResponse.status;
    const s = this.response.headersForwarded ? this.response.headers?.get(':status') : undefined;
    return s === undefined ? undefined : Number(s);
  }

  // ---- the chain, for one filter ----

  private op(fn: () => StreamAction): StreamAction {
    if (this.completed) throw new Error('the stream is complete (the filter answered locally, reset it, or the response ended)');
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0 && this.completePending) this.complete();
    }
  }

  private enter(side: StreamSide, call: () => FilterAction): boolean {
    side.inFilter = true;
    side.resumeAsked = false;
    let r: FilterAction;
    try {
      r = call();
    } finally {
      side.inFilter = false;
    }
    return r === FilterAction.Continue || side.resumeAsked;
  }

  private headers(side: StreamSide, map: HeaderMap, eos: boolean): StreamAction {
    if (side.headers) throw new Error('headers were already sent in this direction');
    side.headers = map;
    side.endReceived = eos;
    const f = this.f;
    const go = this.enter(side, () => (side === this.request ? f.onRequestHeaders?.(map, eos) : f.onResponseHeaders?.(map, eos)) ?? FilterAction.Continue);
    if (!go) {
      side.heldAt = 'headers';
      return 'stop';
    }
    this.passHeaders(side);
    return 'continue';
  }

  private passHeaders(side: StreamSide): void {
    side.heldAt = undefined;
    side.headersForwarded = true;
    if (side === this.response) this.info.responseCode = Number(side.headers!.get(':status'));
    if (side.bodyWhileHeld || side.held.length > 0) {
      side.bodyWhileHeld = false;
      if (this.runBody(side) === 'stop') return;
    }
    if (side.trailersQueued) {
      side.trailersQueued = false;
      this.runTrailers(side);
      return;
    }
    if (side.endReceived && !side.trailersReceived) this.end(side);
  }

  private body(side: StreamSide, chunk: Buffer, eos: boolean): StreamAction {
    if (!side.headers) throw new Error('send headers before the body');
    if (side.endReceived) throw new Error('this direction already ended');
    side.held.append(chunk);
    side.endReceived = eos;
    if (this.overflow(side)) return 'stop';
    if (!side.headersForwarded) {
      side.bodyWhileHeld = true;
      return 'stop';
    }
    return this.runBody(side);
  }

  private runBody(side: StreamSide): StreamAction {
    const eos = side.endReceived && !side.trailersReceived;
    const f = this.f;
    const held = side.held;
    const go = this.enter(side, () => (side === this.request ? f.onRequestBody?.(held, eos) : f.onResponseBody?.(held, eos)) ?? FilterAction.Continue);
    if (this.completed || this.completePending) return 'stop';
    if (!go) {
      side.heldAt = 'body';
      return 'stop';
    }
    side.heldAt = undefined;
    this.forward(side);
    if (eos) {
      // Trailers a filter added in its last body callback go out after the body.
      if (side.trailers && side.trailers.size > 0) side.trailersForwarded = true;
      this.end(side);
    }
    return 'continue';
  }

  private trailersIn(side: StreamSide, map: HeaderMap): StreamAction {
    if (!side.headers) throw new Error('send headers before the trailers');
    if (side.endReceived) throw new Error('this direction already ended');
    side.trailers = map;
    side.trailersReceived = true;
    side.endReceived = true;
    if (!side.headersForwarded) {
      side.trailersQueued = true;
      return 'stop';
    }
    return this.runTrailers(side);
  }

  private runTrailers(side: StreamSide): StreamAction {
    const f = this.f;
    const map = side.trailers!;
    const go = this.enter(side, () => (side === this.request ? f.onRequestTrailers?.(map) : f.onResponseTrailers?.(map)) ?? FilterAction.Continue);
    if (this.completed || this.completePending) return 'stop';
    if (!go) {
      side.heldAt = 'trailers';
      return 'stop';
    }
    side.heldAt = undefined;
    this.forward(side);
    side.trailersForwarded = true;
    this.end(side);
    return 'continue';
  }

  private forward(side: StreamSide): void {
    const n = side.pass(side.held.drain());
    if (side === this.response) this.info.responseBodyBytes += n;
  }

  private end(side: StreamSide): void {
    side.ended = true;
    if (side === this.response) this.finishSoon();
  }

  /** Bodies held beyond the limit end the stream as the proxy does: 413 (request), 500 or a reset (response). */
  private overflow(side: StreamSide): boolean {
    if (side.held.length <= this.maxBufferBytes) return false;
    if (side === this.request) this.reply({ status: 413, body: 'request body too large', details: 'request_payload_too_large' });
    else if (this.response.headersForwarded) this.resetStream();
    else this.reply({ status: 500, body: 'response body too large', details: 'response_payload_too_large' });
    return true;
  }

  private reply(r: LocalReply): void {
    const body = r.body === undefined ? Buffer.alloc(0) : toBytes(r.body);
    const headers = toHeaderMap(r.headers ?? []);
    if (!headers.has('content-type')) headers.add('content-type', r.grpcStatus !== undefined ? 'application/grpc' : 'text/plain');
    this.localResponse = { status: r.status, headers, body, text: body.toString('utf8'), details: r.details, grpcStatus: r.grpcStatus };
    this.info.responseCode = r.status;
    this.info.responseCodeDetails = r.details ?? 'local_reply';
    this.finishSoon();
  }

  private finishSoon(): void {
    if (this.depth > 0) this.completePending = true;
    else this.complete();
  }

  private complete(): void {
    this.completePending = false;
    if (this.completed) return;
    this.completed = true;
    this.info.responseCodeDetails ??= 'via_upstream';
    this.f.onStreamComplete?.();
  }

  private resume(side: StreamSide): void {
    if (this.completed) return;
    if (side.inFilter) {
      side.resumeAsked = true;
      return;
    }
    const at = side.heldAt;
    if (at === undefined) return;
    this.depth++;
    try {
      side.heldAt = undefined;
      if (at === 'headers') this.passHeaders(side);
      else {
        this.forward(side);
        if (at === 'trailers' || (side.endReceived && !side.trailersReceived)) {
          if (at === 'trailers' || (side.trailers && side.trailers.size > 0)) side.trailersForwarded = true;
          this.end(side);
        }
      }
    } finally {
      this.depth--;
      if (this.depth === 0 && this.completePending) this.complete();
    }
  }

  // ---- HttpFilterCallbacks: what the filter asks of its stream ----

  continueRequest(): void {
    this.resume(this.request);
  }
  continueResponse(): void {
    this.resume(this.response);
  }
  sendLocalReply(reply: LocalReply): void {
    if (this.completed || this.localResponse) return;
    if (this.response.headersForwarded) {
      this.resetStream();
      return;
    }
    this.reply(reply);
  }
  resetStream(): void {
    if (this.completed) return;
    this.wasReset = true;
    this.finishSoon();
  }
  requestHeaders(): HeaderMap | undefined {
    return this.request.headers;
  }
  requestTrailers(create?: boolean): HeaderMap | undefined {
    if (!this.request.trailers && create) this.request.trailers = new HeaderMap();
    return this.request.trailers;
  }
  responseHeaders(): HeaderMap | undefined {
    return this.response.headers;
  }
  responseTrailers(create?: boolean): HeaderMap | undefined {
    if (!this.response.trailers && create) this.response.trailers = new HeaderMap();
    return this.response.trailers;
  }
  bufferedRequestBody(): BodyBuffer | undefined {
    return this.request.heldAt !== undefined || this.request.held.length > 0 ? this.request.held : undefined;
  }
  bufferedResponseBody(): BodyBuffer | undefined {
    return this.response.heldAt !== undefined || this.response.held.length > 0 ? this.response.held : undefined;
  }
  clearRouteCache(): void {
    this.routeCacheCleared++;
  }
}
