// The HTTP/1.x server codec: turns one socket's bytes into request streams and encodes their responses.
import type { Socket } from 'node:net';
import type { Logger } from '../../lib/log.js';
import type { ResetReason, ServerConnection, ServerConnectionCallbacks } from './codec.js';
import type { DeadlineSweeper, Expirable } from './deadline-sweeper.js';
import { HeadAction, CallbackAction, ParseStatus, type H1Head, type H1Parser, type H1ParserFactory, type H1ParserHandler } from './h1-parser.js';
import { createLlhttpParser } from './h1-parser-llhttp.js';
import { H1ServerStream, type H1StreamConnection } from './h1-server-stream.js';
import { copyEndToEnd, httpDate, isFramingError, isValidAuthority, requestFraming, statusLine } from './h1-wire.js';
import { HeaderMap } from './header-map.js';
import { Outbox } from './outbox.js';
import { LOCAL_ERROR_CONTENT_TYPE, LOCAL_ERROR_HEADER, localErrorBody, type LocalErrorCode } from './local-error.js';
import type { ConnectionInfo } from './stream-info.js';

export interface Http1ServerOptions {
  readonly maxHeaderBytes: number;
  readonly maxHeaderCount: number;
  /** Time from a request's first byte to the end of its head (408); 0 disables. */
  readonly headersTimeoutMs: number;
  /** Time from a request's first byte to the end of its body (408); 0 disables. */
  readonly requestTimeoutMs: number;
  /** Close the connection after this long without a request in flight; 0 disables. */
  readonly idleTimeoutMs: number;
  readonly sweeper: DeadlineSweeper;
  readonly logger: Logger;
  readonly parserFactory?: H1ParserFactory;
  /** Called once, when the socket has closed. */
  readonly onClose?: () => void;
}

const EMPTY = Buffer.alloc(0);
/** How long a connection we are closing may linger (peer not closing its side) before it is destroyed. */
const CLOSE_GRACE_MS = 5000;

const enum Phase {
  Idle,
  Head,
  Active,
  Closing,
}


/**
 * Serves HTTP/1.0 and HTTP/1.1 on `socket`. One request is processed at a time: pipelined
 * requests wait (unparsed) until the previous response completes, so responses go out in order.
 * `initialData` holds bytes already read from the socket (protocol detection).
 */
export function serveHttp1(
  socket: Socket,
  callbacks: ServerConnectionCallbacks,
  info: ConnectionInfo,
  options: Http1ServerOptions,
  initialData?: Buffer,
): ServerConnection {
  const conn = new Http1ServerConnection(socket, callbacks, info, options);
  conn.start(initialData);
  return conn;
}

class Http1ServerConnection implements ServerConnection, H1ParserHandler, Expirable, H1StreamConnection {
  deadline = 0;
  sweepIndex = -1;
  private readonly parser: H1Parser;
  private phase = Phase.Idle;
  private stream: H1ServerStream | null = null;
  /** Bytes after a complete request, held until its response is done (pipelining). */
  private pending: Buffer | null = null;
  private holdingPipeline = false;
  private readDisabled = 0;
  private paused = false;
  private draining = false;
  /** The connection ends after the current response. */
  closeAfterResponse = false;
  private closed = false;
  private tunnel = false;
  private rejection: { status: number; code: LocalErrorCode; message: string } | undefined;
  private readonly out: Outbox;
  private readonly scheme: string;
  private requestStart = 0;

  constructor(
    readonly socket: Socket,
    private readonly callbacks: ServerConnectionCallbacks,
    readonly info: ConnectionInfo,
    private readonly options: Http1ServerOptions,
  ) {
    this.parser = (options.parserFactory ?? createLlhttpParser)('request', this, options);
    this.out = new Outbox(socket);
    this.scheme = info.tls ? 'https' : 'http';
  }

  get activeStreams(): number {
    return this.stream !== null ? 1 : 0;
  }

  start(initialData: Buffer | undefined): void {
    const s = this.socket;
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('end', () => this.onEnd());
    s.on('error', (err) => this.onSocketError(err));
    s.on('close', () => this.onSocketClose());
    s.on('drain', () => this.stream?.decoder?.onResponseDrain?.());
    this.options.sweeper.add(this);
    this.setIdleDeadline();
    if (initialData !== undefined && initialData.length > 0) this.onData(initialData);
  }

  // --- ServerConnection ---

  drain(): void {
    if (this.draining || this.closed) return;
    this.draining = true;
    if (this.stream === null && !this.parser.inMessage) this.close();
    else this.closeAfterResponse = true;
  }

  destroy(): void {
    if (this.socket.destroyed) return;
    const s = this.stream;
    this.stream = null;
    this.closed = true;
    this.socket.destroy();
    if (s !== null && !s.complete) s.resetFromCodec('local_reset');
  }

  // --- input ---

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    try {
      if (this.tunnel) {
        const s = this.stream;
        if (s !== null && !s.requestDone) s.decoder!.decodeData(chunk, false);
        return;
      }
      if (this.holdingPipeline) {
        this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
        return;
      }
      this.parse(chunk);
    } catch (err) {
      this.internalError(err);
    }
  }

  /** The first bytes of a new request arrived: the head must be complete within headers_timeout. */
  private beginRequest(): void {
    this.phase = Phase.Head;
    this.requestStart = this.options.sweeper.now();
    const t = this.options.headersTimeoutMs;
    this.deadline = t > 0 ? this.options.sweeper.deadlineIn(t) : 0;
  }

  private parse(chunk: Buffer): void {
    let data = chunk;
    for (;;) {
      if (this.phase === Phase.Idle) this.beginRequest();
      let status: ParseStatus;
      try {
        status = this.parser.execute(data);
      } catch (err) {
        this.internalError(err);
        return;
      }
      if (this.closed) return;
      if (status === ParseStatus.Ok) return;
      if (status === ParseStatus.Paused) {
        // A request completed while its response is pending: hold the rest until the response is done.
        const rest = data.subarray(this.parser.stopOffset);
        this.parser.resume();
        if (this.stream === null) {
          if (rest.length === 0) return;
          data = rest;
          continue;
        }
        this.holdingPipeline = true;
        if (rest.length > 0) this.pending = rest;
        this.updateReading();
        return;
      }
      if (status === ParseStatus.Tunnel) {
        this.enterTunnel(data.subarray(this.parser.stopOffset));
        return;
      }
      this.onParseError();
      return;
    }
  }

  private onParseError(): void {
    const e = this.parser.error;
    let status = 400;
    let code: LocalErrorCode = 'invalid_request';
    let message = e ? `malformed request: ${e.reason}` : 'malformed request';
    if (this.rejection !== undefined) {
      ({ status, code, message } = this.rejection);
    } else if (e?.kind === 'header_overflow') {
      status = 431;
      code = 'request_header_fields_too_large';
      message = e.reason;
    }
    this.options.logger.debug({ connection: this.info.id, code, reason: message }, 'downstream protocol error');
    this.failRequest(status, code, message, 'protocol_error');
  }

  /**
   * Ends the current request with an error the codec answers itself (the filter chain never sees
   * it): resets the stream, answers `status` if no response head went out, and closes.
   */
  private failRequest(status: number, code: LocalErrorCode, message: string, reason: ResetReason): void {
    const s = this.stream;
    this.stream = null;
    if (s !== null && !s.complete) {
      s.resetFromCodec(reason);
      if (s.responseStarted) {
        this.destroy();
        return;
      }
    }
    this.writeLocalError(status, code, message, s?.http10 ?? false);
  }

  private internalError(err: unknown): void {
    this.options.logger.error({ connection: this.info.id, err }, 'request processing failed; closing the connection');
    if (this.closed) return;
    this.failRequest(500, 'internal_error', 'the proxy failed to process the request', 'local_reset');
  }

  private writeLocalError(status: number, code: LocalErrorCode, message: string, http10: boolean): void {
    if (this.closed) return;
    const body = localErrorBody(code, message);
    const head =
      statusLine(status, http10) +
      `content-type: ${LOCAL_ERROR_CONTENT_TYPE}\r\n${LOCAL_ERROR_HEADER}: ${code}\r\ncontent-length: ${body.length}\r\n` +
      `date: ${httpDate()}\r\nconnection: close\r\n\r\n`;
    this.out.push(head);
    this.out.push(body);
    this.close();
  }

  private onEnd(): void {
    if (this.closed) return;
    try {
      this.onPeerEnd();
    } catch (err) {
      this.internalError(err);
    }
  }

  private onPeerEnd(): void {
    const s = this.stream;
    if (this.tunnel) {
      if (s !== null && !s.requestDone) {
        s.requestDone = true;
        s.decoder!.decodeData(EMPTY, true);
        this.maybeFinishStream(s);
      }
      return;
    }
    if (s !== null && !s.requestDone) {
      // The client gave up mid-request.
      this.stream = null;
      s.resetFromCodec('remote_reset');
      this.destroy();
      return;
    }
    // Half-close after a complete request: finish the response in flight, then close.
    if (s !== null) this.closeAfterResponse = true;
    else this.close();
  }

  private onSocketError(err: Error): void {
    this.options.logger.debug({ connection: this.info.id, err: err.message }, 'downstream socket error');
  }

  private onSocketClose(): void {
    const s = this.stream;
    this.stream = null;
    this.closed = true;
    this.options.sweeper.delete(this);
    this.parser.destroy();
    try {
      if (s !== null && !s.complete) s.resetFromCodec('remote_reset');
    } catch (err) {
      this.options.logger.error({ connection: this.info.id, err }, 'stream reset failed');
    }
    this.options.onClose?.();
  }

  // --- H1ParserHandler ---

  onHead(head: H1Head): number {
    if (this.closed) return HeadAction.Reject;
    if (head.versionMajor !== 1 || head.versionMinor > 1) return this.reject(400, 'invalid_request', `unsupported HTTP version ${head.versionMajor}.${head.versionMinor}`);
    const http10 = head.versionMinor === 0;
    const framing = requestFraming(head.headers, http10);
    if (isFramingError(framing)) return this.reject(framing.status, framing.code as LocalErrorCode, framing.message);

    let host: string | undefined;
    const fields = head.headers;
    for (let i = 0; i < fields.length; i += 2) {
      if (fields[i] === 'host') {
        if (host !== undefined) return this.reject(400, 'invalid_request', 'more than one Host header');
        host = fields[i + 1]!;
      }
    }
    if (host === undefined && !http10) return this.reject(400, 'invalid_request', 'missing Host header');
    if (host !== undefined && !isValidAuthority(host)) return this.reject(400, 'invalid_request', 'invalid Host header');

    const method = head.method;
    const isConnect = method === 'CONNECT';
    let authority = host ?? '';
    let path: string | undefined;
    const url = head.url;
    if (isConnect) {
      if (!isValidAuthority(url) || !/:\d+$/.test(url)) return this.reject(400, 'invalid_request', 'CONNECT needs an authority-form target host:port');
      authority = url;
    } else if (url.charCodeAt(0) === 47 /* / */) {
      path = url;
    } else if (url === '*' && method === 'OPTIONS') {
      path = '*';
    } else {
      const m = /^(https?):\/\/([^/?#]*)([^#]*)/i.exec(url);
      if (m === null) return this.reject(400, 'invalid_request', 'invalid request target');
      if (!isValidAuthority(m[2]!) || m[2]!.length === 0 || m[2]!.includes('@')) return this.reject(400, 'invalid_request', 'invalid authority in request target');
      authority = m[2]!;
      path = m[3]!.length === 0 ? '/' : m[3]!.charCodeAt(0) === 63 /* ? */ ? `/${m[3]!}` : m[3]!;
    }

    const upgrade = head.upgrade && !isConnect;
    const list: string[] = [':method', method, ':scheme', this.scheme, ':authority', authority];
    if (path !== undefined) list.push(':path', path);
    copyEndToEnd(fields, list, upgrade);

    const s = new H1ServerStream(this, method === 'HEAD', isConnect, upgrade, http10, head.keepAlive);
    if (framing.kind === 'length') s.remaining = framing.length;
    s.requestChunked = framing.kind === 'chunked';
    const endStream = framing.kind === 'none' && !head.upgrade;
    s.requestDone = endStream;
    s.headerBytes = head.headBytes;
    this.stream = s;
    this.phase = Phase.Active;
    const rt = this.options.requestTimeoutMs;
    this.deadline = !endStream && rt > 0 ? this.requestStart + rt + this.options.sweeper.tickMs : 0;
    s.decoder = this.callbacks.newStream(s, this.info, http10 ? 'HTTP/1.0' : 'HTTP/1.1');
    s.decoder.decodeHeaders(new HeaderMap(list), endStream);
    if (endStream) this.maybeFinishStream(s);
    return HeadAction.Body;
  }

  onBody(chunk: Buffer): number {
    const s = this.stream;
    if (s === null || s.requestDone || this.closed) return CallbackAction.Continue;
    let end = false;
    if (s.remaining > 0) {
      s.remaining -= chunk.length;
      end = s.remaining <= 0 && !s.tunnelRequest;
    }
    if (end) this.requestComplete(s);
    s.decoder!.decodeData(chunk, end);
    if (end) this.maybeFinishStream(s);
    return CallbackAction.Continue;
  }

  onMessageComplete(trailers: string[] | undefined): number {
    const s = this.stream;
    if (s !== null && !s.requestDone && !s.tunnelRequest && !this.closed) {
      this.requestComplete(s);
      if (trailers !== undefined) s.decoder!.decodeTrailers(new HeaderMap(copyEndToEnd(trailers, [], false)));
      else s.decoder!.decodeData(EMPTY, true);
      this.maybeFinishStream(s);
    }
    if (this.closed) return CallbackAction.Reject;
    return this.stream !== null ? CallbackAction.Pause : CallbackAction.Continue;
  }

  /** Rejects the message being parsed; the codec answers `status` once the parser stops. */
  private reject(status: number, code: LocalErrorCode, message: string): number {
    this.rejection = { status, code, message };
    return HeadAction.Reject;
  }

  private requestComplete(s: H1ServerStream): void {
    s.requestDone = true;
    if (this.stream === s) this.deadline = 0;
  }

  private enterTunnel(rest: Buffer): void {
    const s = this.stream;
    if (s === null) {
      this.close();
      return;
    }
    this.tunnel = true;
    this.deadline = 0;
    this.parser.destroy();
    if (rest.length > 0) s.decoder!.decodeData(rest, false);
  }

  // --- output (used by H1ServerStream) ---

  /** Queues bytes for the socket; a response's head and body go out together (see Outbox). */
  write(data: string | Buffer): boolean {
    return this.out.push(data);
  }

  /** Sends what is queued now (end of a response). */
  flush(): boolean {
    return this.out.flush();
  }

  get isDraining(): boolean {
    return this.draining;
  }

  readDisable(disable: boolean): void {
    this.readDisabled += disable ? 1 : -1;
    if (this.readDisabled < 0) this.readDisabled = 0;
    this.updateReading();
  }

  private updateReading(): void {
    const want = this.readDisabled === 0 && !this.holdingPipeline && !this.closed;
    if (want && this.paused) {
      this.paused = false;
      this.socket.resume();
    } else if (!want && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  /** The response ended, half-closed (tunnel) or the stream was reset by the filter chain. */
  maybeFinishStream(s: H1ServerStream): void {
    if (this.stream !== s || !s.requestDone || !s.responseDone) {
      if (this.stream === s && s.responseDone && !s.requestDone && !s.isUpgrade) {
        // The response is complete but the request (body, or refused upgrade) is not: the connection cannot be reused.
        this.stream = null;
        s.complete = true;
        this.close();
      }
      return;
    }
    this.stream = null;
    s.complete = true;
    s.releaseReadDisables();
    if (this.tunnel) {
      this.close();
      return;
    }
    if (this.closeAfterResponse || this.draining) {
      this.close();
      return;
    }
    this.setIdleDeadline();
    if (this.holdingPipeline) {
      this.holdingPipeline = false;
      const pending = this.pending;
      this.pending = null;
      // Not from here: this may run inside another parser's callback (an upstream response).
      if (pending !== null) queueMicrotask(() => this.onData(pending));
      this.updateReading();
    }
  }

  private setIdleDeadline(): void {
    this.phase = Phase.Idle;
    const t = this.options.idleTimeoutMs;
    this.deadline = t > 0 ? this.options.sweeper.deadlineIn(t) : 0;
  }

  /** Ends the connection after what is written (FIN), and destroys it if the peer lingers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.phase = Phase.Closing;
    this.out.flush();
    this.parser.destroy();
    this.socket.end();
    this.deadline = this.options.sweeper.deadlineIn(CLOSE_GRACE_MS);
  }

  onDeadline(): void {
    switch (this.phase) {
      case Phase.Idle:
        this.close();
        return;
      case Phase.Head:
        this.failRequest(408, 'request_timeout', 'request head not received in time', 'connection_timeout');
        return;
      case Phase.Active:
        this.failRequest(408, 'request_timeout', 'request not received in time', 'connection_timeout');
        return;
      case Phase.Closing:
        this.socket.destroy();
        return;
    }
  }
}
