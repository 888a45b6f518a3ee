// FAKE upstream clusters for filter tests: record every HTTP and gRPC callout and answer it with a canned response.
import {
  HeaderMap,
  type Cluster,
  type ClusterManager,
  type UpstreamFailure,
  type UpstreamRequest,
  type UpstreamRequestOptions,
  type UpstreamResponseHandler,
} from '../../proxy/wasm/index.js';
import type { FakeClock } from './fake-clock.js';
import { toBytes, toHeaderMap, type BodyInit, type HeadersInit } from './headers.js';

/** An HTTP response a fake cluster sends back. */
export interface CannedResponse {
  /** Default 200. */
  readonly status?: number;
  readonly headers?: HeadersInit;
  readonly body?: BodyInit;
  readonly trailers?: HeadersInit;
}

/** A gRPC reply: response messages, then the status (0 OK) in trailers. */
export interface CannedGrpcResponse {
  readonly grpc: {
    readonly messages?: readonly BodyInit[];
    /** grpc-status; default 0 (OK). */
    readonly status?: number;
    /** grpc-message. */
    readonly message?: string;
    readonly initialMetadata?: HeadersInit;
    readonly trailingMetadata?: HeadersInit;
  };
}

/** The request fails before a response (connect failure, timeout…): the host turns it into 503/504 or a gRPC status. */
export interface CannedFailure {
  readonly fail: UpstreamFailure;
  readonly message?: string;
}

export type CannedAnswer = CannedResponse | CannedGrpcResponse | CannedFailure;

/**
 * Decides the answer to a callout once its request is complete (headers, body, trailers). Return
 * undefined to leave it pending: the test answers with `call.respond(...)`, or the fake clock
 * passes its timeout.
 */
export type Responder = (call: Callout) => CannedAnswer | undefined;

export type CalloutState = 'pending' | 'answered' | 'failed' | 'timed-out' | 'cancelled';

const GRPC_CONTENT_TYPE = /^application\/grpc(\+|;|$)/;

/**
 * One request a plugin sent to a fake cluster (`proxy_http_call`, `proxy_grpc_call`,
 * `proxy_grpc_stream`), as the host put it on the wire, and the means to answer it.
 */
export class Callout {
  readonly cluster: string;
  /** Request headers, pseudo-headers included, as the host built them. */
  readonly headers: HeaderMap;
  /** The timeout the plugin asked for, in ms (0: none). */
  readonly timeoutMs: number;
  /** Fake-clock time (ms since the clock was made) when the call started. */
  readonly startedAt: number;
  /** Request body bytes received so far. */
  body: Buffer = Buffer.alloc(0);
  trailers: HeaderMap | undefined;
  /** The request side ended (the responder is consulted then). */
  requestEnded = false;
  state: CalloutState = 'pending';
  private responseStarted = false;
  private cancelTimeout: (() => void) | undefined;

  constructor(
    cluster: string,
    headers: HeaderMap,
    options: UpstreamRequestOptions,
    private readonly handler: UpstreamResponseHandler,
    private readonly clock: FakeClock,
  ) {
    this.cluster = cluster;
    this.headers = headers;
    this.timeoutMs = options.timeoutMs;
    this.startedAt = clock.elapsed();
    if (options.timeoutMs > 0) {
      this.cancelTimeout = clock.after(options.timeoutMs, () => {
        if (this.state !== 'pending') return;
        this.state = 'timed-out';
        this.handler.onError('timeout', `no response within ${options.timeoutMs} ms`, this.responseStarted);
      });
    }
  }

  get method(): string | undefined {
    return this.headers.get(':method');
  }
  get path(): string | undefined {
    return this.headers.get(':path');
  }
  get authority(): string | undefined {
    return this.headers.get(':authority');
  }
  /** The request body as UTF-8 text. */
  get text(): string {
    return this.body.toString('utf8');
  }
  get isGrpc(): boolean {
    return GRPC_CONTENT_TYPE.test(this.headers.get('content-type') ?? '');
  }
  /** gRPC service and method from `:path` (`/<service>/<method>`), when this is a gRPC call. */
  get grpc(): { service: string; method: string } | undefined {
    if (!this.isGrpc) return undefined;
    const m = /^\/([^/]+)\/([^/]+)$/.exec(this.path ?? '');
    return m ? { service: m[1]!, method: m[2]! } : undefined;
  }
  /** The gRPC request messages sent so far (length-prefixed frames decoded). */
  grpcMessages(): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at + 5 <= this.body.length) {
      const len = this.body.readUInt32BE(at + 1);
      if (at + 5 + len > this.body.length) break;
      out.push(this.body.subarray(at + 5, at + 5 + len));
      at += 5 + len;
    }
    return out;
  }

  private settle(state: CalloutState): boolean {
    if (this.state !== 'pending') return false;
    this.state = state;
    this.cancelTimeout?.();
    return true;
  }

  /** Answers with an HTTP response, now (the plugin's callback runs before this returns). */
  respond(r: CannedResponse = {}): void {
    if (!this.settle('answered')) throw new Error(`callout to ${this.cluster} is already ${this.state}`);
    const headers = toHeaderMap(r.headers);
    headers.set(':status', String(r.status ?? 200));
    const body = toBytes(r.body);
    const trailers = r.trailers ? toHeaderMap(r.trailers) : undefined;
    this.responseStarted = true;
    this.handler.onHeaders(headers, body.length === 0 && !trailers);
    if (body.length > 0) this.handler.onData(body, !trailers);
    if (trailers) this.handler.onTrailers(trailers);
  }

  /** Answers a gRPC call: initial metadata, messages, then grpc-status in trailers (trailers-only when there are no messages). */
  respondGrpc(r: CannedGrpcResponse['grpc'] = {}): void {
    if (!this.settle('answered')) throw new Error(`callout to ${this.cluster} is already ${this.state}`);
    const status = String(r.status ?? 0);
    const head = toHeaderMap(r.initialMetadata);
    head.set(':status', '200');
    head.set('content-type', 'application/grpc');
    const messages = (r.messages ?? []).map(toBytes);
    const tail = toHeaderMap(r.trailingMetadata);
    tail.set('grpc-status', status);
    if (r.message) tail.set('grpc-message', encodeURIComponent(r.message));
    this.responseStarted = true;
    if (messages.length === 0) {
      for (const [k, v] of tail) head.add(k, v);
      this.handler.onHeaders(head, true);
      return;
    }
    this.handler.onHeaders(head, false);
    for (const m of messages) this.handler.onData(grpcFrame(m), false);
    this.handler.onTrailers(tail);
  }

  /**
   * For gRPC streams: sends pieces one at a time while the call stays open. `initialMetadata`
   * once first, then `message`s; end with `closeGrpc(status)`.
   */
  sendGrpcInitialMetadata(metadata: HeadersInit = {}): void {
    this.assertPending();
    const head = toHeaderMap(metadata);
    head.set(':status', '200');
    head.set('content-type', 'application/grpc');
    this.responseStarted = true;
    this.handler.onHeaders(head, false);
  }

  sendGrpcMessage(message: BodyInit): void {
    this.assertPending();
    if (!this.responseStarted) this.sendGrpcInitialMetadata();
    this.handler.onData(grpcFrame(toBytes(message)), false);
  }

  closeGrpc(status = 0, message = '', trailingMetadata: HeadersInit = {}): void {
    this.assertPending();
    if (!this.responseStarted) this.sendGrpcInitialMetadata();
    this.settle('answered');
    const tail = toHeaderMap(trailingMetadata);
    tail.set('grpc-status', String(status));
    if (message) tail.set('grpc-message', encodeURIComponent(message));
    this.handler.onTrailers(tail);
  }

  /** Fails the request as the upstream would (connect failure, reset, timeout…). */
  fail(failure: UpstreamFailure = 'connect_failed', message = ''): void {
    if (!this.settle(failure === 'timeout' ? 'timed-out' : 'failed')) throw new Error(`callout to ${this.cluster} is already ${this.state}`);
    this.handler.onError(failure, message, this.responseStarted);
  }

  private assertPending(): void {
    if (this.state !== 'pending') throw new Error(`callout to ${this.cluster} is already ${this.state}`);
  }

  /** Applies a canned answer. */
  answer(a: CannedAnswer): void {
    if ('fail' in a) this.fail(a.fail, a.message ?? '');
    else if ('grpc' in a) this.respondGrpc(a.grpc);
    else this.respond(a);
  }

  /** @internal The host sent more of the request. */
  received(chunk: Buffer | undefined, trailers: HeaderMap | undefined, end: boolean): void {
    if (chunk && chunk.length > 0) this.body = this.body.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.body, chunk]);
    if (trailers) this.trailers = trailers;
    if (end) this.requestEnded = true;
  }

  /** @internal The host reset the request (gRPC cancel, plugin shut down). */
  resetByHost(): void {
    this.settle('cancelled');
  }
}

function grpcFrame(message: Buffer): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

export interface FakeClusterOptions {
  /** `http2` for clusters gRPC calls target (the host requires it). Default http1. */
  readonly protocol?: 'http1' | 'http2';
  /** How to answer: a function of the call, or one canned answer for every call. Default: leave pending. */
  readonly respond?: Responder | CannedAnswer;
}

/**
 * A FAKE cluster: it stands in for the upstream service a plugin calls out to. It records each
 * request and answers it with the responder's canned answer on a later turn of the event loop
 * (as a real upstream would; `await harness.idle()` waits for it), or leaves it pending for the
 * test to answer by hand.
 */
export class FakeCluster implements Cluster {
  readonly name: string;
  readonly protocol: 'http1' | 'http2';
  /** Every request this cluster received, oldest first. */
  readonly calls: Callout[] = [];
  private responder: Responder | undefined;

  constructor(
    name: string,
    options: FakeClusterOptions,
    private readonly clock: FakeClock,
    private readonly scheduler: DeliveryScheduler,
  ) {
    this.name = name;
    this.protocol = options.protocol ?? 'http1';
    this.respondWith(options.respond);
  }

  /** Replaces how this cluster answers (undefined: leave calls pending). */
  respondWith(respond: Responder | CannedAnswer | undefined): this {
    this.responder = respond === undefined ? undefined : typeof respond === 'function' ? respond : () => respond;
    return this;
  }

  newRequest(headers: HeaderMap, endStream: boolean, handler: UpstreamResponseHandler, options: UpstreamRequestOptions): UpstreamRequest {
    const call = new Callout(this.name, headers, options, handler, this.clock);
    this.calls.push(call);
    this.scheduler.recorded(call);
    handler.onUpstreamSelected?.(`${this.name}.fake:80`);
    const ended = () => {
      const answer = this.responder?.(call);
      if (answer) this.scheduler.later(() => call.state === 'pending' && call.answer(answer));
    };
    call.received(undefined, undefined, endStream);
    if (endStream) ended();
    return {
      sendData(chunk: Buffer, end: boolean): boolean {
        if (call.requestEnded) return true;
        call.received(chunk, undefined, end);
        if (end) ended();
        return true;
      },
      sendTrailers(trailers: HeaderMap): void {
        if (call.requestEnded) return;
        call.received(undefined, trailers, true);
        ended();
      },
      reset(): void {
        call.resetByHost();
      },
      readDisable(): void {},
    };
  }
}

/** Where fake clusters report calls and queue deliveries (the harness implements it). */
export interface DeliveryScheduler {
  recorded(call: Callout): void;
  /** Runs `fn` on a later turn of the event loop; `harness.idle()` waits for it. */
  later(fn: () => void): void;
}

/** The FAKE ClusterManager of a harness: only the clusters the test declared exist. */
export class FakeClusters implements ClusterManager {
  private readonly clusters = new Map<string, FakeCluster>();

  constructor(
    private readonly clock: FakeClock,
    private readonly scheduler: DeliveryScheduler,
  ) {}

  get(name: string): FakeCluster | undefined {
    return this.clusters.get(name);
  }

  /** Declares (or reconfigures) cluster `name`. */
  add(name: string, options: FakeClusterOptions = {}): FakeCluster {
    const existing = this.clusters.get(name);
    if (existing) {
      if (options.respond !== undefined) existing.respondWith(options.respond);
      return existing;
    }
    const c = new FakeCluster(name, options, this.clock, this.scheduler);
    this.clusters.set(name, c);
    return c;
  }
}
