// One HTTP/1 request/response exchange: the ResponseEncoder that frames a response on the wire.
import type { Socket } from 'node:net';
import type { RequestDecoder, ResetReason, ResponseEncoder } from './codec.js';
import { FIELDS_KEEP_UPGRADE, FIELDS_SKIP_CONTENT_LENGTH, fieldLines, httpDate, parseContentLength, statusLine } from './h1-wire.js';
import type { HeaderMap } from './header-map.js';

/** What a stream needs from its connection (Http1ServerConnection). */
export interface H1StreamConnection {
  readonly socket: Socket;
  /** The connection ends after the current response. */
  closeAfterResponse: boolean;
  readonly isDraining: boolean;
  /** Queues bytes (sent together at flush or the end of the tick); false above the write watermark. */
  write(data: string | Buffer): boolean;
  flush(): boolean;
  destroy(): void;
  readDisable(disable: boolean): void;
  /** The response ended, or the stream was reset: the connection moves on (next request, or close). */
  maybeFinishStream(s: H1ServerStream): void;
}

const EMPTY = Buffer.alloc(0);

const enum Out {
  None,
  Length,
  Chunked,
  Close,
  Tunnel,
}

/** One request/response exchange on an HTTP/1 connection. */
export class H1ServerStream implements ResponseEncoder {
  decoder: RequestDecoder | undefined;
  /** Request body bytes still expected (Content-Length framing). */
  remaining = 0;
  requestChunked = false;
  requestDone = false;
  responseStarted = false;
  responseDone = false;
  complete = false;
  headerBytes = 0;
  private out = Out.None;
  private outRemaining = 0;
  private readDisables = 0;
  private upgraded = false;
  /** Upgrade or CONNECT: the request never ends by itself; after a 101 (2xx for CONNECT) it is a tunnel. */
  readonly tunnelRequest: boolean;

  constructor(
    private readonly conn: H1StreamConnection,
    private readonly isHead: boolean,
    private readonly isConnect: boolean,
    readonly upgradeRequest: boolean,
    readonly http10: boolean,
    private readonly keepAlive: boolean,
  ) {
    this.tunnelRequest = upgradeRequest || isConnect;
  }

  get isUpgrade(): boolean {
    return this.upgraded;
  }

  encode1xx(headers: HeaderMap): void {
    if (this.responseStarted || this.complete || this.http10) return;
    const status = Number(headers.get(':status'));
    if (!(status >= 100 && status < 200) || status === 101) return;
    this.conn.write(statusLine(status, false) + fieldLines(headers.list, 0) + '\r\n');
  }

  encodeHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.responseStarted || this.complete) return;
    this.responseStarted = true;
    const conn = this.conn;
    const status = Number(headers.get(':status')) | 0;
    const tunnel = (this.upgradeRequest && status === 101) || (this.isConnect && status >= 200 && status < 300);
    let close = conn.closeAfterResponse || conn.isDraining || !this.keepAlive || (!this.requestDone && !this.tunnelRequest);
    if (this.tunnelRequest && !tunnel) close = true;
    const noBody = this.isHead || status === 204 || status === 304 || (status >= 100 && status < 200);

    let framingFields = '';
    const cl = headers.get('content-length');
    let keepContentLength = true;
    if (tunnel) {
      this.out = Out.Tunnel;
      keepContentLength = false;
      if (status === 101) framingFields = 'connection: upgrade\r\n';
    } else if (noBody) {
      this.out = Out.None;
    } else if (endStream) {
      this.out = Out.None;
      keepContentLength = false;
      framingFields = 'content-length: 0\r\n';
    } else if (cl !== undefined && parseContentLength(cl) >= 0) {
      this.out = Out.Length;
      this.outRemaining = parseContentLength(cl);
    } else if (!this.http10) {
      this.out = Out.Chunked;
      keepContentLength = false;
      framingFields = 'transfer-encoding: chunked\r\n';
    } else {
      this.out = Out.Close;
      keepContentLength = false;
      close = true;
    }
    if (close) {
      conn.closeAfterResponse = true;
      if (status !== 101) framingFields += 'connection: close\r\n';
    } else if (this.http10) {
      framingFields += 'connection: keep-alive\r\n';
    }
    let head =
      statusLine(status, this.http10) +
      fieldLines(headers.list, (tunnel && status === 101 ? FIELDS_KEEP_UPGRADE : 0) | (keepContentLength ? 0 : FIELDS_SKIP_CONTENT_LENGTH)) +
      framingFields;
    if (!headers.has('date')) head += `date: ${httpDate()}\r\n`;
    head += '\r\n';
    if (tunnel) this.upgraded = true;
    conn.write(head);
    if (endStream) {
      conn.flush();
      this.finishResponse();
    }
  }

  encodeData(chunk: Buffer, endStream: boolean): boolean {
    if (this.complete || this.responseDone) return true;
    const conn = this.conn;
    let ok = true;
    switch (this.out) {
      case Out.None:
        break;
      case Out.Length: {
        let c = chunk;
        if (c.length > this.outRemaining) c = c.subarray(0, this.outRemaining);
        this.outRemaining -= c.length;
        if (c.length > 0) ok = conn.write(c);
        if (endStream && this.outRemaining > 0) {
          // Fewer bytes than the Content-Length promised: the client cannot tell where it ends.
          conn.closeAfterResponse = true;
          conn.flush();
          conn.socket.destroySoon();
        }
        break;
      }
      case Out.Chunked:
        if (chunk.length > 0) {
          conn.write(`${chunk.length.toString(16)}\r\n`);
          conn.write(chunk);
          ok = conn.write(endStream ? '\r\n0\r\n\r\n' : '\r\n');
        } else if (endStream) {
          ok = conn.write('0\r\n\r\n');
        }
        break;
      case Out.Close:
        if (chunk.length > 0) ok = conn.write(chunk);
        break;
      case Out.Tunnel:
        if (chunk.length > 0) ok = conn.write(chunk);
        if (endStream) {
          conn.flush();
          conn.socket.end();
        }
        break;
    }
    if (endStream) {
      ok = conn.flush();
      this.finishResponse();
    }
    return ok;
  }

  encodeTrailers(trailers: HeaderMap): void {
    if (this.complete || this.responseDone) return;
    if (this.out === Out.Chunked) {
      this.conn.write(`0\r\n${fieldLines(trailers.list, FIELDS_SKIP_CONTENT_LENGTH)}\r\n`);
      this.conn.flush();
      this.finishResponse();
      return;
    }
    this.encodeData(EMPTY, true);
  }

  reset(_reason: ResetReason): void {
    if (this.complete) return;
    this.complete = true;
    this.conn.destroy();
  }

  readDisable(disable: boolean): void {
    if (this.complete) return;
    if (!disable && this.readDisables === 0) return;
    this.readDisables += disable ? 1 : -1;
    this.conn.readDisable(disable);
  }

  /** The stream is over: whatever reading it still held paused is released (the next request must be read). */
  releaseReadDisables(): void {
    for (; this.readDisables > 0; this.readDisables--) this.conn.readDisable(false);
  }

  /** The codec ends the stream (error, timeout, peer gone): tell the decoder once. */
  resetFromCodec(reason: ResetReason): void {
    if (this.complete) return;
    this.complete = true;
    this.decoder?.onReset(reason);
  }

  private finishResponse(): void {
    this.responseDone = true;
    if (this.out === Out.Close) this.conn.closeAfterResponse = true;
    this.conn.maybeFinishStream(this);
  }
}
