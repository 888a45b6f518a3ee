// A listening socket: accepts connections and hands each to the codec its protocol (and first bytes, or ALPN) calls for.
import { createServer, type Server, type Socket } from 'node:net';
import type { HostPort, Listener as ListenerConfig } from '../../api/snapshot/index.js';
import { WeftError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { HttpConnectionManager, HttpListenerRuntime } from '../http/connection-manager.js';
import { serveHttp1 } from '../http/h1-server.js';
import type { ConnectionInfo, TlsInfo } from '../http/stream-info.js';
import type { ListenerMetrics } from '../stats/proxy-metrics.js';
import type { HttpCodecOptions, ManagedConnection, ProtocolHooks, TcpProxyContext, TlsTerminator } from './hooks.js';
import { detectHttp2Preface } from './protocol-sniff.js';

/** How a listener serves connections under one Snapshot. Replaced whole on apply. */
export interface ListenerRuntime {
  readonly config: ListenerConfig;
  readonly metrics: ListenerMetrics;
  /**
   * HTTP listeners: the connection manager (one per listener, kept across Snapshots), this
   * Snapshot's stream runtime, codec options, and whether HTTP/2 is accepted.
   */
  readonly http?: {
    readonly manager: HttpConnectionManager;
    readonly runtime: HttpListenerRuntime;
    readonly codec: HttpCodecOptions;
    readonly http2: boolean;
  };
  readonly tls?: TlsTerminator;
  readonly tcp?: TcpProxyContext;
}

export interface ListenerDeps {
  readonly logger: Logger;
  readonly hooks: ProtocolHooks;
  /** Connection ids, unique within the data plane. */
  nextConnectionId(): number;
}

/** A connection the listener tracks; `conn` is set once a codec took the socket (after sniffing or the TLS handshake). */
class Tracked {
  conn: ManagedConnection | undefined;
  constructor(readonly socket: Socket) {}
}

/**
 * One bound address. Sockets accepted before `activate()` wait (so a Snapshot whose other
 * listeners fail to bind never serves a request); `update` swaps the runtime for connections
 * accepted afterwards (and for new streams on existing HTTP connections, through the manager).
 */
export class Listener {
  private readonly server: Server;
  private readonly connections = new Set<Tracked>();
  private runtime: ListenerRuntime;
  private active = false;
  private waiting: Socket[] = [];
  private draining = false;
  private closed = false;
  private bound: HostPort | undefined;
  private idleWaiters: (() => void)[] = [];

  private constructor(
    runtime: ListenerRuntime,
    private readonly deps: ListenerDeps,
  ) {
    this.runtime = runtime;
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.onConnection(socket));
    this.server.on('error', (err) => this.deps.logger.error({ err, listener: this.name }, 'listener error'));
  }

  /** Binds the listener's address; rejects with a WeftError (e.g. the port is in use). */
  static open(runtime: ListenerRuntime, deps: ListenerDeps): Promise<Listener> {
    const l = new Listener(runtime, deps);
    const { host, port } = runtime.config.address;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(new WeftError('listener_bind_failed', `listener "${runtime.config.name}": cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err }));
      };
      l.server.once('error', onError);
      l.server.listen({ host, port, backlog: 1024 }, () => {
        l.server.removeListener('error', onError);
        const a = l.server.address();
        l.bound = a !== null && typeof a === 'object' ? { host: a.address, port: a.port } : { host, port };
        resolve(l);
      });
    });
  }

  get name(): string {
    return this.runtime.config.name;
  }

  get config(): ListenerConfig {
    return this.runtime.config;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  address(): HostPort {
    return this.bound ?? this.runtime.config.address;
  }

  /** Starts serving (and serves the connections that arrived while waiting). */
  activate(): void {
    this.active = true;
    const waiting = this.waiting;
    this.waiting = [];
    for (const s of waiting) this.onConnection(s);
  }

  /** New connections use `runtime`; the caller updates the (shared) HTTP connection manager itself. */
  update(runtime: ListenerRuntime): void {
    this.runtime = runtime;
  }

  /** Stops accepting; resolves once the server is closed (existing connections stay). */
  stopAccepting(): Promise<void> {
    this.draining = true;
    for (const s of this.waiting.splice(0)) s.destroy();
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Stops accepting, asks every connection to finish what is in flight and close, and resolves
   * when none is left; after `timeoutMs` the remaining ones are closed.
   */
  async drain(timeoutMs: number): Promise<void> {
    const stopped = this.stopAccepting();
    for (const t of this.connections) {
      if (t.conn !== undefined) t.conn.drain();
      else t.socket.destroy();
    }
    await this.waitIdle(timeoutMs);
    this.destroyConnections();
    await stopped;
  }

  /** Closes everything now. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = this.stopAccepting();
    this.destroyConnections();
    await stopped;
  }

  private destroyConnections(): void {
    for (const t of [...this.connections]) {
      if (t.conn !== undefined) t.conn.destroy();
      else t.socket.destroy();
    }
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve();
      }, timeoutMs);
      this.idleWaiters.push(done);
    });
  }

  private onConnection(socket: Socket): void {
    if (!this.active && !this.draining && !this.closed) {
      this.waiting.push(socket);
      return;
    }
    if (this.draining || this.closed) {
      socket.destroy();
      return;
    }
    const rt = this.runtime;
    const tracked = new Tracked(socket);
    this.connections.add(tracked);
    rt.metrics.connectionsTotal.inc();
    rt.metrics.connectionsActive.inc();
    // Until a codec attaches its own, a socket error must not become an uncaught exception.
    socket.on('error', noop);
    socket.once('close', () => {
      rt.metrics.connectionsActive.dec();
      this.connections.delete(tracked);
      if (this.connections.size === 0 && this.idleWaiters.length > 0) for (const w of this.idleWaiters.splice(0)) w();
    });
    const info: ConnectionInfo = {
      id: this.deps.nextConnectionId(),
      listenerName: rt.config.name,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      localAddress: socket.localAddress ?? '',
      localPort: socket.localPort ?? 0,
    };
    try {
      this.dispatch(rt, tracked, socket, info);
    } catch (err) {
      this.deps.logger.error({ err, listener: rt.config.name }, 'cannot serve a connection');
      socket.destroy();
    }
  }

  private dispatch(rt: ListenerRuntime, tracked: Tracked, socket: Socket, info: ConnectionInfo): void {
    const hooks = this.deps.hooks;
    if (rt.config.protocol === 'tcp') {
      const serveTcp = hooks.serveTcp;
      const tcp = rt.tcp;
      if (serveTcp === undefined || tcp === undefined) throw new Error('no TCP proxy is available');
      if (rt.tls === undefined) {
        tracked.conn = serveTcp(socket, info, tcp);
        return;
      }
      rt.tls.accept(socket, (tlsSocket: Socket, tls: TlsInfo) => {
        if (socket.destroyed || this.closed) {
          tlsSocket.destroy();
          return;
        }
        tracked.conn = serveTcp(tlsSocket, { ...info, tls }, tcp);
      });
      return;
    }
    const http = rt.http;
    if (http === undefined) throw new Error('HTTP listener without an HTTP runtime');
    if (rt.tls !== undefined) {
      rt.tls.accept(socket, (tlsSocket: Socket, tls: TlsInfo) => {
        if (socket.destroyed || this.closed) {
          tlsSocket.destroy();
          return;
        }
        const secured: ConnectionInfo = { ...info, tls };
        const serve = tls.alpn === 'h2' && hooks.serveHttp2 !== undefined ? hooks.serveHttp2 : serveHttp1;
        tracked.conn = serve(tlsSocket, http.manager, secured, http.codec);
        if (this.draining) tracked.conn.drain();
      });
      return;
    }
    const serveHttp2 = hooks.serveHttp2;
    if (!http.http2 || serveHttp2 === undefined) {
      tracked.conn = serveHttp1(socket, http.manager, info, http.codec);
      return;
    }
    const sniffTimeout = http.codec.headersTimeoutMs || http.codec.idleTimeoutMs;
    detectHttp2Preface(socket, sniffTimeout, (isHttp2, initialData) => {
      if (this.closed) {
        socket.destroy();
        return;
      }
      const serve = isHttp2 ? serveHttp2 : serveHttp1;
      tracked.conn = serve(socket, http.manager, info, http.codec, initialData);
      if (this.draining) tracked.conn.drain();
    });
  }
}

function noop(): void {}
