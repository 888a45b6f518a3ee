// The HTTP/2 server codec: serves one accepted socket (cleartext prior knowledge or TLS with ALPN "h2") over node:http2.
import http2, { constants, type Http2Server, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { WeftError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { ServerConnection, ServerConnectionCallbacks } from './codec.js';
import { Http2ServerStream, type StreamOwner } from './codec-h2-stream.js';
import { DeadlineSweeper } from './deadline-sweeper.js';
import { isGrpcContentType } from './grpc.js';
import { requestHeadersFromH2 } from './h2-headers.js';
import type { ConnectionInfo } from './stream-info.js';

const { NGHTTP2_FLAG_END_STREAM, NGHTTP2_NO_ERROR } = constants;

/** The HTTP/2 connection preface a prior-knowledge client sends first (RFC 9113 §3.4). */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * True when `data` (the first bytes of a cleartext connection) is, or may still become, the HTTP/2
 * preface: 'yes' for a whole preface, 'maybe' for a matching prefix that is too short to tell,
 * 'no' otherwise. A listener reads until it gets 'yes' or 'no'.
 */
export function matchHttp2Preface(data: Buffer): 'yes' | 'maybe' | 'no' {
  const n = Math.min(data.length, HTTP2_PREFACE.length);
  for (let i = 0; i < n; i++) if (data[i] !== HTTP2_PREFACE[i]) return 'no';
  return n === HTTP2_PREFACE.length ? 'yes' : 'maybe';
}

export interface Http2CodecOptions {
  /** Largest request header block (names + values), 431 beyond. */
  readonly maxHeaderBytes: number;
  /** Most request header fields (pseudo-headers not counted), 431 beyond. */
  readonly maxHeaderCount: number;
  /** Close (GOAWAY) a connection without streams for this long; 0 disables. */
  readonly idleTimeoutMs: number;
  /** A request (headers and body) not received within this long gets 408; 0 disables. */
  readonly requestTimeoutMs: number;
  /** Watches request timeouts (the listener's, shared with HTTP/1.1); default: one per connection. */
  readonly sweeper?: DeadlineSweeper;
  /** SETTINGS_MAX_CONCURRENT_STREAMS advertised to clients. Default 1024. */
  readonly maxConcurrentStreams?: number;
  /** Per-stream receive window (SETTINGS_INITIAL_WINDOW_SIZE): what a client may send ahead of a paused stream. Default 1 MiB. */
  readonly initialWindowSize?: number;
  /** Connection receive window. Default 16 MiB. */
  readonly connectionWindowSize?: number;
  /** After GOAWAY on drain, how long to wait for the client to acknowledge the shutdown notice before the final GOAWAY. Default 1 s. */
  readonly drainNoticeMs?: number;
  readonly logger?: Logger;
}

// The node:http2 server objects that only turn sockets into sessions, one per options object
// (listeners pass the same object for all their connections). Weak: they go with the options.
const servers = new WeakMap<Http2CodecOptions, { server: Http2Server; captured: ServerHttp2Session | undefined }>();

function serverFor(options: Http2CodecOptions): { server: Http2Server; captured: ServerHttp2Session | undefined } {
  let entry = servers.get(options);
  if (entry) return entry;
  const maxCount = options.maxHeaderCount;
  const server = http2.createServer({
    settings: {
      maxConcurrentStreams: options.maxConcurrentStreams ?? 1024,
      initialWindowSize: options.initialWindowSize ?? 1 << 20,
      // Hard limits enforced by nghttp2 (stream reset beyond); up to them the codec answers 431.
      maxHeaderListSize: Math.min(2 * options.maxHeaderBytes + 32 * 2 * (maxCount + 8), 0xffffffff),
      enablePush: false,
    },
    maxHeaderListPairs: 2 * (maxCount + 8),
    maxSessionMemory: 64,
  });
  const e: { server: Http2Server; captured: ServerHttp2Session | undefined } = { server, captured: undefined };
  server.on('session', (s: ServerHttp2Session) => {
    e.captured = s;
  });
  servers.set(options, e);
  entry = e;
  return entry;
}

/**
 * Serves HTTP/2 on an accepted socket (plain, or TLS whose ALPN chose "h2"). `initialData` are bytes
 * the listener already read (the preface it sniffed); they are put back before node:http2 reads.
 * The caller must have removed its own 'data' listeners; node:http2 then reads the socket itself.
 */
export function serveHttp2(socket: Socket, callbacks: ServerConnectionCallbacks, info: ConnectionInfo, options: Http2CodecOptions, initialData?: Buffer): ServerConnection {
  // A socket left flowing by the sniffer would hand the bytes put back to nobody before node:http2 reads them.
  socket.pause();
  if (initialData !== undefined && initialData.length > 0) socket.unshift(initialData);
  const entry = serverFor(options);
  entry.captured = undefined;
  // node:http2 builds the session synchronously in its 'connection' handler.
  entry.server.emit('connection', socket);
  const session = entry.captured as ServerHttp2Session | undefined;
  entry.captured = undefined;
  if (session === undefined) {
    socket.destroy();
    throw new WeftError('http2_no_session', 'node:http2 did not accept the socket (a TLS socket must have negotiated "h2")');
  }
  return new Http2Connection(session, callbacks, info, options);
}

/** One HTTP/2 server connection: streams to RequestDecoders, drain as GOAWAY, idle timeout. */
class Http2Connection implements ServerConnection, StreamOwner {
  readonly info: ConnectionInfo;
  readonly logger: Logger | undefined;
  destroying = false;
  readonly sweeper: DeadlineSweeper;
  private readonly ownSweeper: boolean;
  private readonly session: ServerHttp2Session;
  private readonly callbacks: ServerConnectionCallbacks;
  private readonly options: Http2CodecOptions;
  private streams = 0;
  private draining = false;
  private idle = true;
  private readonly idleTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(session: ServerHttp2Session, callbacks: ServerConnectionCallbacks, info: ConnectionInfo, options: Http2CodecOptions) {
    this.session = session;
    this.callbacks = callbacks;
    this.info = info;
    this.options = options;
    this.logger = options.logger;
    this.ownSweeper = options.sweeper === undefined;
    this.sweeper = options.sweeper ?? new DeadlineSweeper(DeadlineSweeper.tickFor(options.requestTimeoutMs));
    session.on('stream', (stream: ServerHttp2Stream, _h: unknown, flags: number, raw: string[]) => this.onStream(stream, flags, raw));
    session.on('error', (e: Error & { code?: string }) => this.logger?.debug({ err: e.message, code: e.code, conn: info.id }, 'http2 session error'));
    session.on('frameError', (type: number, code: number, id: number) => this.logger?.debug({ type, code, stream: id, conn: info.id }, 'http2 frame error'));
    session.on('close', () => this.onClose());
    const windowSize = options.connectionWindowSize ?? 16 << 20;
    try {
      session.setLocalWindowSize(windowSize);
    } catch (e) {
      this.logger?.debug({ err: (e as Error).message }, 'http2 connection window not set');
    }
    if (options.idleTimeoutMs > 0) {
      this.idleTimer = setTimeout(() => this.onIdleTimer(), options.idleTimeoutMs);
      this.idleTimer.unref();
    }
  }

  get activeStreams(): number {
    return this.streams;
  }

  drain(): void {
    if (this.draining || this.session.closed || this.session.destroyed) return;
    this.draining = true;
    // Shutdown notice first: GOAWAY with the largest stream id keeps requests the client already
    // sent valid; after a PING round trip the final GOAWAY names the last stream really accepted
    // (RFC 9113 §6.8). Streams in flight complete; then node closes the connection.
    try {
      this.session.goaway(NGHTTP2_NO_ERROR, 2 ** 31 - 1);
    } catch {
      this.session.close();
      return;
    }
    const finalGoaway = () => {
      if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
      if (!this.session.closed && !this.session.destroyed) this.session.close();
    };
    this.drainTimer = setTimeout(finalGoaway, this.options.drainNoticeMs ?? 1000);
    this.drainTimer.unref();
    if (!this.session.ping(finalGoaway)) finalGoaway();
  }

  destroy(): void {
    if (this.session.destroyed) return;
    this.destroying = true;
    this.session.destroy();
  }

  streamClosed(_stream: Http2ServerStream): void {
    if (--this.streams === 0) {
      this.idle = true;
      this.idleTimer?.refresh();
    }
  }

  private onStream(stream: ServerHttp2Stream, flags: number, raw: string[]): void {
    if (this.streams++ === 0) this.idle = false;
    const endStream = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
    const parsed = requestHeadersFromH2(raw);
    const grpc = parsed.ok && isGrpcContentType(parsed.headers.get('content-type'));
    const method = parsed.ok ? parsed.headers.list[1] : undefined;
    const s = new Http2ServerStream(stream, this, endStream, method === 'HEAD', grpc);
    if (!parsed.ok) {
      s.localReply(parsed.message.startsWith('CONNECT') ? 'method_not_implemented' : 'invalid_request', parsed.message);
      return;
    }
    const headers = parsed.headers;
    const o = this.options;
    if (headers.size - 4 > o.maxHeaderCount) {
      s.localReply('request_header_fields_too_large', `more than ${o.maxHeaderCount} request headers`);
      return;
    }
    if (headers.byteSize() > o.maxHeaderBytes) {
      s.localReply('request_header_fields_too_large', `request headers larger than ${o.maxHeaderBytes} bytes`);
      return;
    }
    let decoder;
    try {
      decoder = this.callbacks.newStream(s, this.info, 'HTTP/2');
    } catch (e) {
      this.logger?.error({ err: e, conn: this.info.id }, 'http2 newStream threw; resetting the stream');
      s.reset('local_reset');
      return;
    }
    s.attach(decoder, endStream ? 0 : o.requestTimeoutMs);
    s.deliverHeaders(headers, endStream);
  }

  private onIdleTimer(): void {
    if (this.idle && this.streams === 0) {
      this.logger?.debug({ conn: this.info.id }, 'http2 connection idle; closing');
      this.drain();
    }
  }

  private onClose(): void {
    if (this.ownSweeper) this.sweeper.close();
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
  }
}
