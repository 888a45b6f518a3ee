// The HTTP/2 connections of one endpoint: multiplexed sessions, opened as streams demand, with GOAWAY, idle close and a wait queue.
import http2, { type ClientHttp2Session } from 'node:http2';
import type { Logger } from '../../lib/log.js';
import { DeadlineSweeper } from '../http/deadline-sweeper.js';
import type { HeaderMap } from '../http/header-map.js';
import type { TlsInfo } from '../http/stream-info.js';
import { formatAddress, type HostPort } from '../../api/snapshot/index.js';
import { awaitReady } from './connect-wait.js';
import type { UpstreamConnector } from './connector.js';
import { Http2UpstreamStream, type StreamConnection, type StreamPool } from './pool-h2-stream.js';
import type { UpstreamFailure, UpstreamRequest, UpstreamRequestOptions, UpstreamResponseHandler } from './types.js';

/** Request timeouts fire within 50–100 ms after they pass (one sweep per 50 ms, no timer per request), as in the HTTP/1.1 pool. */
export const TIMEOUT_TICK_MS = 50;

/** Streams assumed per connection until the server's SETTINGS arrive (RFC 9113 recommends at least 100). */
const ASSUMED_MAX_STREAMS = 100;

export interface Http2EndpointPoolOptions {
  readonly endpoint: HostPort;
  /** Plain TCP, or TLS (which must then agree to "h2" by ALPN). */
  readonly connector: UpstreamConnector;
  /** Time to connect (TCP and TLS handshake); 0 disables. */
  readonly connectTimeoutMs: number;
  /** Close a connection without streams after this long; 0 keeps it. */
  readonly idleTimeoutMs: number;
  /** Most connections open at once (a connection going away does not count). */
  readonly maxConnections: number;
  /** Most streams per connection, below the server's SETTINGS_MAX_CONCURRENT_STREAMS. Default 1024. */
  readonly maxStreamsPerConnection?: number;
  /** Requests that may wait for a stream; beyond, new requests fail with `overflow`. Default 1024. */
  readonly maxPendingRequests?: number;
  /** Per-stream receive window: response bytes the server may send ahead of a paused reader. Default 1 MiB. */
  readonly initialWindowSize?: number;
  /** Connection receive window. Default 16 MiB. */
  readonly connectionWindowSize?: number;
  readonly logger?: Logger;
  /** Where request timeouts are watched (one per cluster); default: the pool's own. */
  readonly timeouts?: DeadlineSweeper;
  /** A connection opened (+1) or closed (-1): for `weft_upstream_connections_active`. */
  readonly onConnectionCountChange?: (delta: 1 | -1) => void;
}

type ConnState = 'connecting' | 'ready' | 'draining' | 'closed';

/** One HTTP/2 session to the endpoint. */
class PooledSession implements StreamConnection {
  state: ConnState = 'connecting';
  session!: ClientHttp2Session;
  tls: TlsInfo | undefined;
  active = 0;
  maxStreams: number;
  cancelConnect: (() => void) | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  readonly address: string;
  private readonly pool: Http2EndpointPool;

  constructor(pool: Http2EndpointPool, address: string, cap: number) {
    this.pool = pool;
    this.address = address;
    this.maxStreams = Math.min(ASSUMED_MAX_STREAMS, cap);
  }

  get hasRoom(): boolean {
    return this.state === 'ready' && this.active < this.maxStreams && !this.session.closed && !this.session.destroyed;
  }

  streamClosed(): void {
    this.active--;
    this.pool.onStreamClosed(this);
  }
}

/**
 * Requests to one endpoint over HTTP/2. A request takes a stream on a ready session with room;
 * otherwise it waits (bounded) while the pool opens another session, up to `maxConnections`.
 * A session that received GOAWAY takes no new streams; its streams finish and it closes. A
 * connection that cannot be made fails the waiting requests with `connect_failed` when no other
 * session can take them.
 */
export class Http2EndpointPool implements StreamPool {
  readonly logger: Logger | undefined;
  private readonly options: Http2EndpointPoolOptions;
  private readonly address: string;
  private readonly sessions: PooledSession[] = [];
  private queue: Http2UpstreamStream[] = [];
  private closed = false;
  private draining = false;
  private readonly timeouts: DeadlineSweeper;
  private readonly ownsTimeouts: boolean;

  constructor(options: Http2EndpointPoolOptions) {
    this.options = options;
    this.logger = options.logger;
    this.address = formatAddress(options.endpoint);
    this.ownsTimeouts = options.timeouts === undefined;
    this.timeouts = options.timeouts ?? new DeadlineSweeper(TIMEOUT_TICK_MS);
  }

  /** Streams in flight plus requests waiting. */
  get activeRequests(): number {
    let n = this.queue.length;
    for (const s of this.sessions) n += s.active;
    return n;
  }

  /** Open sessions (connecting, ready or going away). */
  get connectionCount(): number {
    return this.sessions.length;
  }

  newRequest(headers: HeaderMap, endStream: boolean, handler: UpstreamResponseHandler, options: UpstreamRequestOptions): UpstreamRequest {
    const stream = new Http2UpstreamStream(this, headers, endStream, handler, options.timeoutMs, this.timeouts);
    if (this.closed || this.draining) {
      this.failSoon(stream, 'connection_reset', `the pool for ${this.address} is closed`);
      return stream;
    }
    const session = this.pickSession();
    if (session !== undefined && this.startOn(stream, session)) return stream;
    if (this.queue.length >= (this.options.maxPendingRequests ?? 1024)) {
      this.failSoon(stream, 'overflow', `too many requests waiting for ${this.address}`);
      return stream;
    }
    this.queue.push(stream);
    this.maybeConnect();
    return stream;
  }

  /** Closes sessions without streams now (busy ones stay). */
  closeIdle(): void {
    for (const s of [...this.sessions]) if (s.active === 0 && s.state === 'ready') this.closeWhenIdle(s);
  }

  /** Stop taking requests; sessions close as their streams finish. */
  drain(): void {
    this.draining = true;
    for (const s of this.sessions) this.closeWhenIdle(s);
  }

  /** Close everything now: waiting requests fail, streams in flight are reset. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const q = this.queue;
    this.queue = [];
    for (const st of q) st.fail('connection_reset', `the pool for ${this.address} closed`);
    if (this.ownsTimeouts) this.timeouts.close();
    for (const s of [...this.sessions]) {
      s.cancelConnect?.();
      if (s.session !== undefined && !s.session.destroyed) s.session.destroy();
      this.removeSession(s);
    }
  }

  // StreamPool

  dequeue(stream: Http2UpstreamStream): void {
    const i = this.queue.indexOf(stream);
    if (i >= 0) this.queue.splice(i, 1);
  }

  requeue(stream: Http2UpstreamStream): void {
    if (this.closed) {
      stream.fail('connection_reset', `the pool for ${this.address} closed`);
      return;
    }
    this.queue.unshift(stream);
    this.processQueue();
    this.maybeConnect();
  }

  /** A stream on `s` ended: its slot may serve a waiting request. */
  onStreamClosed(s: PooledSession): void {
    if (s.active === 0) {
      if (s.state === 'draining') this.closeWhenIdle(s);
      else if (s.idleTimer !== undefined) s.idleTimer.refresh();
    }
    this.processQueue();
  }

  // Internals

  private pickSession(): PooledSession | undefined {
    for (const s of this.sessions) if (s.hasRoom) return s;
    return undefined;
  }

  private startOn(stream: Http2UpstreamStream, s: PooledSession): boolean {
    s.active++;
    if (stream.start(s)) return true;
    // The session refused new streams (it is going away): never pick it again.
    s.active--;
    if (s.state === 'ready') s.state = 'draining';
    this.closeWhenIdle(s);
    return false;
  }

  private processQueue(): void {
    while (this.queue.length > 0) {
      const s = this.pickSession();
      if (s === undefined) return;
      const stream = this.queue.shift()!;
      if (stream.done) continue;
      if (!this.startOn(stream, s)) this.queue.unshift(stream);
    }
  }

  /** Opens sessions while the waiting requests exceed what connecting sessions will take. */
  private maybeConnect(): void {
    if (this.closed) return;
    let open = 0;
    let connecting = 0;
    for (const s of this.sessions) {
      if (s.state === 'connecting') connecting++;
      if (s.state === 'connecting' || s.state === 'ready') open++;
    }
    let waiting = this.queue.length;
    waiting -= connecting * ASSUMED_MAX_STREAMS;
    while (waiting > 0 && open < this.options.maxConnections) {
      this.connect();
      open++;
      waiting -= ASSUMED_MAX_STREAMS;
    }
  }

  private connect(): void {
    const cap = this.options.maxStreamsPerConnection ?? 1024;
    const s = new PooledSession(this, this.address, cap);
    this.sessions.push(s);
    let up;
    try {
      up = this.options.connector(this.options.endpoint);
    } catch (e) {
      this.removeSession(s, false);
      this.onConnectFailed(`connect to ${this.address} failed: ${(e as Error).message}`);
      return;
    }
    const socket = up.socket;
    s.cancelConnect = awaitReady(
      up,
      this.options.connectTimeoutMs,
      this.address,
      (error) => {
        s.cancelConnect = undefined;
        if (error !== undefined) {
          this.removeSession(s, false);
          this.onConnectFailed(error);
          return;
        }
        this.setUp(s, socket, up.tlsInfo?.());
      },
      () => {
        const alpn = (socket as { alpnProtocol?: string | false }).alpnProtocol;
        if (up.readyEvent === 'secureConnect' && alpn !== 'h2') {
          return `TLS handshake with ${this.address}: the server did not agree to h2 by ALPN (got ${alpn || 'none'})`;
        }
        return undefined;
      },
    );
  }

  private setUp(s: PooledSession, socket: import('node:net').Socket, tls: TlsInfo | undefined): void {
    const o = this.options;
    const session = http2.connect(`${tls ? 'https' : 'http'}://${this.address}`, {
      createConnection: () => socket,
      settings: { enablePush: false, initialWindowSize: o.initialWindowSize ?? 1 << 20 },
      maxSessionMemory: 64,
    });
    s.session = session;
    s.tls = tls;
    s.state = 'ready';
    o.onConnectionCountChange?.(1);
    try {
      session.setLocalWindowSize(o.connectionWindowSize ?? 16 << 20);
    } catch (e) {
      this.logger?.debug({ err: (e as Error).message }, 'http2 upstream connection window not set');
    }
    session.on('remoteSettings', (settings: http2.Settings) => {
      const cap = o.maxStreamsPerConnection ?? 1024;
      s.maxStreams = Math.min(settings.maxConcurrentStreams ?? cap, cap);
      this.processQueue();
    });
    session.on('goaway', (code: number, lastStreamId: number) => {
      this.logger?.debug({ upstream: this.address, code, lastStreamId }, 'http2 upstream sent GOAWAY');
      if (s.state === 'ready') s.state = 'draining';
      // Requests waiting need another session now.
      this.maybeConnect();
    });
    session.on('error', (e: Error & { code?: string }) => this.logger?.debug({ err: e.message, code: e.code, upstream: this.address }, 'http2 upstream session error'));
    session.on('close', () => {
      this.removeSession(s);
      this.processQueue();
      this.maybeConnect();
    });
    if (o.idleTimeoutMs > 0) {
      s.idleTimer = setTimeout(() => {
        if (s.active === 0 && s.state === 'ready') {
          s.state = 'draining';
          this.closeWhenIdle(s);
        }
      }, o.idleTimeoutMs);
      s.idleTimer.unref();
    }
    this.processQueue();
  }

  private onConnectFailed(message: string): void {
    this.logger?.debug({ upstream: this.address, err: message }, 'http2 upstream connect failed');
    // Requests keep waiting only if some session can still take them.
    for (const s of this.sessions) if (s.state === 'connecting' || s.state === 'ready') return;
    const q = this.queue;
    this.queue = [];
    for (const st of q) st.fail('connect_failed', message);
  }

  private closeWhenIdle(s: PooledSession): void {
    if (s.state === 'ready') s.state = 'draining';
    if (s.state === 'connecting') {
      s.cancelConnect?.();
      this.removeSession(s, false);
      return;
    }
    if (s.active === 0 && s.session !== undefined && !s.session.closed && !s.session.destroyed) s.session.close();
  }

  private removeSession(s: PooledSession, counted = true): void {
    const i = this.sessions.indexOf(s);
    if (i < 0) return;
    this.sessions.splice(i, 1);
    const wasOpen = s.state !== 'connecting';
    s.state = 'closed';
    if (s.idleTimer !== undefined) clearTimeout(s.idleTimer);
    if (counted && wasOpen) this.options.onConnectionCountChange?.(-1);
  }

  private failSoon(stream: Http2UpstreamStream, failure: UpstreamFailure, message: string): void {
    // Not inside newRequest: the caller has not got the request object yet.
    queueMicrotask(() => stream.fail(failure, message));
  }
}
