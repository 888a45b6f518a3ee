// The HTTP/1.1 client codec: one upstream connection carrying one request at a time, and the request it carries.
import type { Socket } from 'node:net';
import type { Logger } from '../../lib/log.js';
import { CallbackAction, HeadAction, ParseStatus, type H1Head, type H1Parser, type H1ParserFactory, type H1ParserHandler } from '../http/h1-parser.js';
import { createLlhttpParser } from '../http/h1-parser-llhttp.js';
import { Outbox } from '../http/outbox.js';
import type { DeadlineSweeper, Expirable } from '../http/deadline-sweeper.js';
import {
  FIELDS_KEEP_UPGRADE,
  FIELDS_SKIP_CONTENT_LENGTH,
  FIELDS_SKIP_HOST,
  copyEndToEnd,
  fieldLines,
  parseContentLength,
  responseFraming,
} from '../http/h1-wire.js';
import { HeaderMap } from '../http/header-map.js';
import type { TlsInfo } from '../http/stream-info.js';
import type { UpstreamSocket } from './connector.js';
import type { UpstreamFailure, UpstreamRequest, UpstreamRequestOptions, UpstreamResponseHandler } from './types.js';

/** What a connection needs from its endpoint pool. */
export interface ConnectionOwner {
  readonly address: string;
  readonly logger: Logger;
  readonly connectTimeoutMs: number;
  readonly parserFactory?: H1ParserFactory;
  /** The connection finished a request and may carry another. */
  connectionIdle(conn: Http1ClientConnection): void;
  /** The connection closed (for any reason); it is gone from the pool. */
  connectionClosed(conn: Http1ClientConnection): void;
  /** A request failed on a reused connection before any response byte: retry it once elsewhere. */
  retry(req: Http1UpstreamRequest): void;
}

const RESPONSE_LIMITS = { maxHeaderBytes: 96 * 1024, maxHeaderCount: 500 };
const EMPTY = Buffer.alloc(0);
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

const CONNECTING = 0;
const READY = 1;
const CLOSED = 2;

const BODY_NONE = 0;
const BODY_LENGTH = 1;
const BODY_CHUNKED = 2;
const BODY_TUNNEL = 3;

/**
 * One request to an upstream: created by the pool, bound to a connection when one is free.
 * Body sent before that (or, for upgrades, before the 101) is queued and `sendData` returns
 * false; the handler's onRequestDrain follows once it is written.
 */
export class Http1UpstreamRequest implements UpstreamRequest, Expirable {
  conn: Http1ClientConnection | undefined;
  /** Body bytes sent before a connection (or a tunnel) was ready. */
  queued: { chunk: Buffer; end: boolean }[] | undefined;
  queuedTrailers: HeaderMap | undefined;
  done = false;
  requestEnded: boolean;
  responseStarted = false;
  retried = false;
  /** The request went out as a head without body. */
  headersOnly = false;
  readDisables = 0;
  bodyMode = BODY_NONE;
  bodyRemaining = 0;
  /** When the route timeout passes (see DeadlineSweeper); 0 for none. */
  deadline = 0;
  sweepIndex = -1;
  readonly method: string;
  readonly upgrade: boolean;
  /** Set while the request waits in a pool's queue: takes it out on reset. */
  cancelHook: ((req: Http1UpstreamRequest) => void) | undefined;

  constructor(
    readonly headers: HeaderMap,
    endStream: boolean,
    readonly handler: UpstreamResponseHandler,
    readonly options: UpstreamRequestOptions,
    private readonly timeouts: DeadlineSweeper,
  ) {
    this.requestEnded = endStream;
    this.method = headers.get(':method') ?? 'GET';
    this.upgrade = options.upgrade === true;
    if (options.timeoutMs > 0) {
      timeouts.add(this);
      this.deadline = timeouts.deadlineIn(options.timeoutMs);
    }
  }

  /** A GET-like request with no body, on a connection that failed before any response byte, can be sent again. */
  get retryable(): boolean {
    return !this.retried && !this.responseStarted && this.headersOnly && RETRYABLE_METHODS.has(this.method);
  }

  sendData(chunk: Buffer, endStream: boolean): boolean {
    if (this.done) return true;
    if (endStream) this.requestEnded = true;
    const conn = this.conn;
    if (conn === undefined || !conn.canWriteBody(this)) {
      (this.queued ??= []).push({ chunk, end: endStream });
      return false;
    }
    return conn.writeBody(this, chunk, endStream);
  }

  sendTrailers(trailers: HeaderMap): void {
    if (this.done) return;
    this.requestEnded = true;
    const conn = this.conn;
    if (conn === undefined || !conn.canWriteBody(this)) {
      this.queuedTrailers = trailers;
      return;
    }
    conn.writeTrailers(this, trailers);
  }

  reset(): void {
    if (this.done) return;
    this.finish();
    const conn = this.conn;
    this.conn = undefined;
    if (conn !== undefined) conn.destroy();
    else this.cancelHook?.(this);
  }

  readDisable(disable: boolean): void {
    this.readDisables += disable ? 1 : -1;
    this.conn?.updateReading();
  }

  /** Ends the request with a failure (no further handler calls). */
  fail(failure: UpstreamFailure, message: string): void {
    if (this.done) return;
    this.finish();
    this.handler.onError(failure, message, this.responseStarted);
  }

  finish(): void {
    this.done = true;
    this.timeouts.delete(this);
  }

  onDeadline(): void {
    if (this.done) return;
    const conn = this.conn;
    this.conn = undefined;
    this.fail('timeout', `no complete response within ${this.options.timeoutMs} ms`);
    if (conn !== undefined) conn.destroy();
  }
}

/** One upstream socket speaking HTTP/1.1. */
export class Http1ClientConnection implements H1ParserHandler {
  private state = CONNECTING;
  private readonly socket: Socket;
  private readonly parser: H1Parser;
  private req: Http1UpstreamRequest | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private tls: TlsInfo | undefined;
  /** Requests completed on this connection (0: a fresh connection). */
  uses = 0;
  idleSince = 0;
  private keepAlive = false;
  private responseRemaining = 0;
  private endDelivered = false;
  private informational = false;
  private tunnel = false;
  private tunnelPending = false;
  private releaseAfterParse = false;
  private paused = false;
  private readonly out: Outbox;
  private error: string | undefined;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly up: UpstreamSocket,
  ) {
    this.socket = up.socket;
    this.out = new Outbox(up.socket);
    this.parser = (owner.parserFactory ?? createLlhttpParser)('response', this, RESPONSE_LIMITS);
    const s = this.socket;
    s.once(up.readyEvent, () => this.onReady());
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('end', () => this.onEnd());
    s.on('error', (err: Error) => {
      this.error = err.message;
    });
    s.on('close', () => this.onClose());
    s.on('drain', () => {
      const r = this.req;
      if (r !== undefined && !r.done) r.handler.onRequestDrain?.();
    });
    if (owner.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(() => {
        this.error = `connect timeout after ${owner.connectTimeoutMs} ms`;
        this.socket.destroy();
      }, owner.connectTimeoutMs);
      this.connectTimer.unref();
    }
  }

  get idle(): boolean {
    return this.state === READY && this.req === undefined;
  }

  get closed(): boolean {
    return this.state === CLOSED;
  }

  /** Binds a request; its head goes out now, or when the connection is ready. */
  assign(req: Http1UpstreamRequest): void {
    this.req = req;
    req.conn = this;
    this.keepAlive = false;
    this.responseRemaining = 0;
    this.endDelivered = false;
    this.informational = false;
    this.tunnelPending = false;
    this.pendingHead = undefined;
    req.handler.onUpstreamSelected?.(this.owner.address, this.tls);
    if (this.state === READY) this.writeHead(req);
    this.updateReading();
  }

  canWriteBody(req: Http1UpstreamRequest): boolean {
    return this.state === READY && this.req === req && (req.bodyMode !== BODY_TUNNEL || this.tunnel);
  }

  writeBody(req: Http1UpstreamRequest, chunk: Buffer, end: boolean): boolean {
    const out = this.out;
    let ok = true;
    switch (req.bodyMode) {
      case BODY_LENGTH: {
        let c = chunk;
        if (c.length > req.bodyRemaining) c = c.subarray(0, req.bodyRemaining);
        req.bodyRemaining -= c.length;
        ok = out.push(c);
        // A body shorter than its Content-Length leaves the upstream waiting: never reuse this connection.
        if (end && req.bodyRemaining > 0) this.keepAlive = false;
        break;
      }
      case BODY_CHUNKED:
        if (chunk.length > 0) {
          out.push(`${chunk.length.toString(16)}\r\n`);
          out.push(chunk);
          ok = out.push(end ? '\r\n0\r\n\r\n' : '\r\n');
        } else if (end) {
          ok = out.push('0\r\n\r\n');
        }
        break;
      case BODY_TUNNEL:
        ok = out.push(chunk);
        if (end) {
          out.flush();
          this.socket.end();
        }
        break;
      default:
        break;
    }
    return ok;
  }

  writeTrailers(req: Http1UpstreamRequest, trailers: HeaderMap): void {
    if (req.bodyMode === BODY_CHUNKED) {
      this.out.push(`0\r\n${fieldLines(trailers.list, FIELDS_SKIP_CONTENT_LENGTH | FIELDS_SKIP_HOST)}\r\n`);
    } else {
      this.writeBody(req, EMPTY, true);
    }
  }

  updateReading(): void {
    const r = this.req;
    const want = r === undefined || r.readDisables <= 0;
    if (want && this.paused) {
      this.paused = false;
      this.socket.resume();
    } else if (!want && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  destroy(): void {
    this.req = undefined;
    this.out.clear();
    this.socket.destroy();
  }

  private onReady(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    if (this.state !== CONNECTING) return;
    this.state = READY;
    this.tls = this.up.tlsInfo?.();
    const r = this.req;
    if (r !== undefined) {
      if (this.tls !== undefined) r.handler.onUpstreamSelected?.(this.owner.address, this.tls);
      this.writeHead(r);
    } else {
      this.owner.connectionIdle(this);
    }
  }

  private writeHead(req: Http1UpstreamRequest): void {
    const h = req.headers;
    const method = req.method;
    const authority = h.get(':authority') || this.owner.address;
    const target = method === 'CONNECT' ? authority : (h.get(':path') ?? '/');
    let head =
      `${method} ${target} HTTP/1.1\r\nhost: ${authority}\r\n` +
      fieldLines(h.list, FIELDS_SKIP_CONTENT_LENGTH | FIELDS_SKIP_HOST | (req.upgrade ? FIELDS_KEEP_UPGRADE : 0));
    const end = req.requestEnded && req.queued === undefined && req.queuedTrailers === undefined;
    const cl = h.get('content-length');
    if (req.upgrade) {
      req.bodyMode = BODY_TUNNEL;
      if (method !== 'CONNECT') head += 'connection: upgrade\r\n';
    } else if (end) {
      req.bodyMode = BODY_NONE;
      req.headersOnly = true;
      if (cl !== undefined || method === 'POST' || method === 'PUT' || method === 'PATCH') head += 'content-length: 0\r\n';
    } else if (cl !== undefined && parseContentLength(cl) >= 0) {
      req.bodyMode = BODY_LENGTH;
      req.bodyRemaining = parseContentLength(cl);
      head += `content-length: ${req.bodyRemaining}\r\n`;
    } else {
      req.bodyMode = BODY_CHUNKED;
      head += 'transfer-encoding: chunked\r\n';
    }
    head += '\r\n';
    // Queued until the end of the tick (see Outbox): the head and the body bytes that came with it
    // go out in one write, and a request reset in the same tick (a malformed body right after the
    // head) sends nothing at all.
    this.out.push(head);
    if (req.bodyMode !== BODY_TUNNEL) this.flushQueued(req);
  }

  /** Writes body queued before the connection (or tunnel) was ready, then lets the sender go on. */
  private flushQueued(req: Http1UpstreamRequest): void {
    const queued = req.queued;
    const trailers = req.queuedTrailers;
    if (queued === undefined && trailers === undefined) return;
    req.queued = undefined;
    req.queuedTrailers = undefined;
    let ok = true;
    for (const q of queued ?? []) ok = this.writeBody(req, q.chunk, q.end);
    if (trailers !== undefined) this.writeTrailers(req, trailers);
    if (ok && !req.requestEnded) queueMicrotask(() => this.req === req && !req.done && req.handler.onRequestDrain?.());
  }

  private onData(chunk: Buffer): void {
    if (this.state === CLOSED) return;
    if (this.tunnel) {
      const r = this.req;
      if (r !== undefined && !r.done) r.handler.onData(chunk, false);
      return;
    }
    if (this.req === undefined) {
      // Bytes nobody asked for: the upstream is broken; this connection is not used again.
      this.owner.logger.debug({ upstream: this.owner.address }, 'unsolicited bytes from an idle upstream connection');
      this.destroy();
      return;
    }
    let status: ParseStatus;
    try {
      status = this.parser.execute(chunk);
    } catch (err) {
      this.owner.logger.error({ err, upstream: this.owner.address }, 'upstream response processing failed');
      this.failAndClose('protocol_error', 'response processing failed');
      return;
    }
    this.afterParse(status, chunk);
  }

  private afterParse(status: ParseStatus, chunk: Buffer): void {
    if (status === ParseStatus.Error) {
      this.pendingHead = undefined;
      const r = this.req;
      if (r !== undefined && !r.done) {
        const e = this.parser.error;
        const reason = this.parserRejection ?? e?.reason ?? 'parse error';
        this.failAndClose('protocol_error', `malformed response from ${this.owner.address}: ${reason}`);
      } else {
        this.destroy();
      }
      return;
    }
    if (status === ParseStatus.Tunnel) {
      const rest = chunk.subarray(this.parser.stopOffset);
      this.enterTunnel(rest);
      return;
    }
    if (status === ParseStatus.Paused) {
      if (this.parser.stopOffset < chunk.length) {
        // The upstream sent bytes after a complete response.
        this.owner.logger.debug({ upstream: this.owner.address }, 'extra bytes after an upstream response');
        this.releaseAfterParse = false;
        this.destroy();
        return;
      }
      this.parser.resume();
    }
    const r = this.req;
    if (this.pendingHead !== undefined && r !== undefined && !r.done) this.flushHead(r, false);
    if (this.releaseAfterParse) {
      this.releaseAfterParse = false;
      this.owner.connectionIdle(this);
    }
  }

  private enterTunnel(rest: Buffer): void {
    const r = this.req;
    if (r === undefined || r.done) {
      this.destroy();
      return;
    }
    this.tunnel = true;
    this.parser.destroy();
    const queued = r.queued;
    const trailers = r.queuedTrailers;
    r.queued = undefined;
    r.queuedTrailers = undefined;
    for (const q of queued ?? []) this.writeBody(r, q.chunk, q.end);
    if (trailers !== undefined) this.writeBody(r, EMPTY, true);
    if (rest.length > 0) r.handler.onData(rest, false);
    if (!r.done && !r.requestEnded) r.handler.onRequestDrain?.();
  }

  private onEnd(): void {
    const r = this.req;
    if (this.tunnel) {
      if (r !== undefined && !r.done) {
        this.endDelivered = true;
        r.handler.onData(EMPTY, true);
        if (r.requestEnded) this.finishTunnel(r);
      }
      return;
    }
    if (r !== undefined && !r.done && this.state === READY && r.responseStarted) {
      let status: ParseStatus;
      try {
        status = this.parser.finish();
      } catch (err) {
        this.owner.logger.error({ err, upstream: this.owner.address }, 'upstream response processing failed');
        status = ParseStatus.Error;
      }
      if (status === ParseStatus.Error || (this.req === r && !r.done)) {
        this.failAndClose('connection_reset', `upstream ${this.owner.address} closed the connection before the response ended`);
        return;
      }
    }
    // Closed before a response (the retry decision is made on close) or while idle.
    this.socket.destroy();
  }

  private finishTunnel(r: Http1UpstreamRequest): void {
    r.finish();
    this.destroy();
  }

  private onClose(): void {
    const wasConnecting = this.state === CONNECTING;
    this.state = CLOSED;
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.parser.destroy();
    const r = this.req;
    this.req = undefined;
    if (r !== undefined && !r.done) {
      r.conn = undefined;
      if (wasConnecting) {
        r.fail('connect_failed', `cannot connect to ${this.owner.address}: ${this.error ?? 'connection closed'}`);
      } else if (this.tunnel) {
        if (this.endDelivered && r.requestEnded) r.finish();
        else r.fail('connection_reset', `tunnel to ${this.owner.address} closed`);
      } else if (this.uses > 0 && r.retryable) {
        r.retried = true;
        this.owner.retry(r);
      } else {
        r.fail('connection_reset', `upstream ${this.owner.address} reset the connection${this.error ? `: ${this.error}` : ''}`);
      }
    }
    this.owner.connectionClosed(this);
  }

  private failAndClose(failure: UpstreamFailure, message: string): void {
    const r = this.req;
    this.req = undefined;
    if (r !== undefined) {
      r.conn = undefined;
      r.fail(failure, message);
    }
    this.socket.destroy();
  }

  // --- H1ParserHandler (responses) ---

  onHead(head: H1Head): number {
    const r = this.req;
    if (r === undefined || r.done) return HeadAction.Reject;
    const status = head.status;
    if (status < 200) {
      if (status === 101) {
        if (!r.upgrade || r.method === 'CONNECT') return HeadAction.Reject;
        r.responseStarted = true;
        this.tunnelPending = true;
        const h = new HeaderMap(copyEndToEnd(head.headers, [':status', '101'], true));
        r.handler.onHeaders(h, false);
        return HeadAction.Tunnel;
      }
      this.informational = true;
      r.handler.onInformational?.(new HeaderMap(copyEndToEnd(head.headers, [':status', String(status)], false)));
      return HeadAction.NoBody;
    }
    const framing = responseFraming(head.headers, r.method, status);
    if (typeof framing === 'string') {
      this.parserRejection = framing;
      return HeadAction.Reject;
    }
    const tunnel = r.method === 'CONNECT' && status < 300;
    this.keepAlive = head.keepAlive && framing.kind !== 'close' && !tunnel && !r.upgrade;
    const headers = new HeaderMap(copyEndToEnd(head.headers, [':status', String(status)], false));
    if (tunnel) {
      r.responseStarted = true;
      this.tunnelPending = true;
      r.handler.onHeaders(headers, false);
      return HeadAction.Tunnel;
    }
    this.responseRemaining = framing.kind === 'length' ? framing.length : 0;
    // Held until the parser has seen what follows in this read: malformed framing right after the
    // head is still a 502, not a response cut short.
    this.pendingHead = headers;
    return r.method === 'HEAD' ? HeadAction.NoBody : HeadAction.Body;
  }

  private pendingHead: HeaderMap | undefined;

  /** Passes on the response head held by onHead. */
  private flushHead(r: Http1UpstreamRequest, endStream: boolean): void {
    const h = this.pendingHead;
    if (h === undefined) return;
    this.pendingHead = undefined;
    r.responseStarted = true;
    if (endStream) this.endDelivered = true;
    r.handler.onHeaders(h, endStream);
  }

  private parserRejection: string | undefined;

  onBody(chunk: Buffer): number {
    const r = this.req;
    if (r === undefined || r.done) return CallbackAction.Reject;
    this.flushHead(r, false);
    if (r.done) return CallbackAction.Reject;
    let end = false;
    if (this.responseRemaining > 0) {
      this.responseRemaining -= chunk.length;
      end = this.responseRemaining <= 0;
    }
    if (end) this.endDelivered = true;
    r.handler.onData(chunk, end);
    return CallbackAction.Continue;
  }

  onMessageComplete(trailers: string[] | undefined): number {
    const r = this.req;
    if (this.informational) {
      this.informational = false;
      return CallbackAction.Continue;
    }
    if (r === undefined || r.done) return CallbackAction.Reject;
    // The head of a tunnel: the parser stops next (Tunnel); the response has no end yet.
    if (this.tunnelPending) return CallbackAction.Continue;
    if (this.pendingHead !== undefined) this.flushHead(r, trailers === undefined);
    if (!this.endDelivered && !r.done) {
      this.endDelivered = true;
      if (trailers !== undefined) r.handler.onTrailers(new HeaderMap(copyEndToEnd(trailers, [], false)));
      else r.handler.onData(EMPTY, true);
    }
    if (this.req !== r || this.state === CLOSED) return CallbackAction.Reject;
    this.responseFinished(r);
    return CallbackAction.Pause;
  }

  /** The response is complete: reuse the connection if the request was fully sent and both sides allow it. */
  private responseFinished(r: Http1UpstreamRequest): void {
    if (r.done && this.req !== r) return;
    r.finish();
    if (!r.requestEnded || !this.keepAlive) {
      this.destroy();
      return;
    }
    this.req = undefined;
    r.conn = undefined;
    this.uses++;
    this.updateReading();
    this.releaseAfterParse = true;
  }
}
