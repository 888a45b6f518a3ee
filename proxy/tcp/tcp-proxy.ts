// The TCP (L4) proxy: each downstream connection to an endpoint of the listener's cluster, through its network filters.
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type { Logger } from '../../lib/log.js';
import type { ConnectionInfo } from '../http/stream-info.js';
import type { ManagedConnection, TcpProxyContext } from '../listener/hooks.js';
import { awaitReady } from '../upstream/connect-wait.js';
import { NetworkFilterChain, type NetworkChainSink } from './network-filter-chain.js';
import type { PeerType } from './network-filter.js';
import type { TcpListenerMetrics } from './tcp-metrics.js';

/** Bytes held for one direction (in filters, or waiting for the upstream to connect) before reading from its source pauses. */
const HIGH_WATERMARK = 1 << 20;

/** Serves one accepted connection of a `protocol: tcp` listener (the data plane's `serveTcp` hook). */
export function serveTcp(socket: Socket, info: ConnectionInfo, ctx: TcpProxyContext): ManagedConnection {
  const c = new TcpProxyConnection(socket, info, ctx);
  c.start();
  return c;
}

/**
 * One proxied connection. Bytes flow both ways with backpressure (a full write buffer on one side
 * pauses reading on the other) and half-close (a FIN from one side is passed on once its bytes
 * are). The upstream is opened once every network filter passed onNewConnection; until it is
 * connected, downstream bytes wait (bounded). If no connection can be made the client's
 * connection is reset. Either side closing ends the other: gracefully after a clean close,
 * with a reset after an error. The idle timeout counts time without bytes in either direction.
 */
class TcpProxyConnection implements ManagedConnection, NetworkChainSink {
  private readonly downstream: Socket;
  private readonly info: ConnectionInfo;
  private readonly ctx: TcpProxyContext;
  private readonly logger: Logger;
  private readonly metrics: TcpListenerMetrics;
  private chain: NetworkFilterChain | undefined;
  private upstream: Socket | undefined;
  private upstreamAddr: string | undefined;
  private cancelConnect: (() => void) | undefined;
  /** Bytes (and a half-close) for the upstream that came before it connected. */
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  private waitingEnd = false;
  private upstreamFull = false;
  private downstreamFull = false;
  private chainDown = 0;
  private chainUp = 0;
  private downPaused = false;
  private upPaused = false;
  private downClosed = false;
  private upClosed = true;
  private closingLocally = false;
  private finished = false;
  private lastActivity = performance.now();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, info: ConnectionInfo, ctx: TcpProxyContext) {
    this.downstream = socket;
    this.info = info;
    this.ctx = ctx;
    this.logger = ctx.logger;
    this.metrics = ctx.metrics;
  }

  start(): void {
    const ctx = this.ctx;
    ctx.lease.acquire();
    this.metrics.connectionsTotal.inc();
    this.metrics.connectionsActive.inc();
    const d = this.downstream;
    // Half-close: a client's FIN must not end our side toward it while the upstream still answers.
    d.allowHalfOpen = true;
    d.on('error', (e: Error & { code?: string }) => this.logger.debug({ err: e.message, code: e.code, conn: this.info.id }, 'tcp downstream error'));
    d.on('data', (chunk: Buffer) => this.onDownstreamData(chunk));
    d.on('end', () => this.onDownstreamEnd());
    d.on('drain', () => {
      this.downstreamFull = false;
      this.updateReading();
    });
    d.once('close', (hadError: boolean) => this.onDownstreamClose(hadError));
    const idle = ctx.config.idle_timeout;
    if (idle > 0) {
      this.idleTimer = setTimeout(() => this.checkIdle(), idle);
      this.idleTimer.unref();
    }
    const name = ctx.config.filter_chain;
    const factories = name !== undefined ? ctx.filterChains.network(name) : [];
    if (factories.length > 0) {
      this.chain = new NetworkFilterChain(factories, this.info, this, this.logger);
      this.chain.start();
    } else {
      this.ready();
    }
  }

  drain(): void {
    // A byte stream has no request boundary to stop at: connections finish on their own (or at the drain timeout).
  }

  destroy(): void {
    this.close();
  }

  // NetworkChainSink

  ready(): void {
    if (this.finished || this.downClosed) return;
    const cluster = this.ctx.config.cluster;
    let opened;
    try {
      opened = this.ctx.clusters.openConnection(cluster, this.info.remoteAddress);
    } catch (e) {
      this.connectFailed(`cluster "${cluster}": ${(e as Error).message}`);
      return;
    }
    if (opened === undefined) {
      this.connectFailed(`cluster "${cluster}" has no endpoints`);
      return;
    }
    const { upstream: up, address } = opened;
    this.upClosed = false;
    const u = up.socket;
    u.allowHalfOpen = true;
    this.cancelConnect = awaitReady(up, opened.connectTimeoutMs, address, (error) => {
      this.cancelConnect = undefined;
      if (error !== undefined) {
        this.upClosed = true;
        this.connectFailed(error);
        return;
      }
      this.connected(u, address);
    });
  }

  toUpstream(chunks: readonly Buffer[], end: boolean): void {
    const u = this.upstream;
    if (u === undefined) {
      for (const c of chunks) {
        this.waiting.push(c);
        this.waitingBytes += c.length;
      }
      if (end) this.waitingEnd = true;
      this.updateReading();
      return;
    }
    if (u.destroyed || u.writableEnded) return;
    let room = true;
    for (const c of chunks) room = u.write(c);
    if (!room) this.upstreamFull = true;
    if (end) u.end();
    if (!room) this.updateReading();
  }

  toDownstream(chunks: readonly Buffer[], end: boolean): void {
    const d = this.downstream;
    if (d.destroyed || d.writableEnded) return;
    let room = true;
    for (const c of chunks) {
      this.metrics.sent.value += c.length;
      room = d.write(c);
    }
    if (!room) this.downstreamFull = true;
    if (end) d.end();
    if (!room) this.updateReading();
  }

  close(): void {
    if (this.finished) return;
    this.closingLocally = true;
    this.cancelConnect?.();
    this.cancelConnect = undefined;
    this.upstream?.destroy();
    this.downstream.destroy();
  }

  buffered(direction: 'downstream' | 'upstream', bytes: number): void {
    if (direction === 'downstream') this.chainDown = bytes;
    else this.chainUp = bytes;
    this.updateReading();
  }

  upstreamAddress(): string | undefined {
    return this.upstreamAddr;
  }

  // Internals

  private connected(u: Socket, address: string): void {
    if (this.finished || this.downClosed) {
      u.destroy();
      return;
    }
    this.upstream = u;
    this.upstreamAddr = address;
    u.on('error', (e: Error & { code?: string }) => this.logger.debug({ err: e.message, code: e.code, conn: this.info.id, upstream: address }, 'tcp upstream error'));
    u.on('data', (chunk: Buffer) => this.onUpstreamData(chunk));
    u.on('end', () => this.onUpstreamEnd());
    u.on('drain', () => {
      this.upstreamFull = false;
      this.updateReading();
    });
    u.once('close', (hadError: boolean) => this.onUpstreamClose(hadError));
    const waiting = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    this.toUpstream(waiting, this.waitingEnd);
    this.updateReading();
  }

  private connectFailed(message: string): void {
    this.metrics.connectFailures.inc();
    this.logger.info({ conn: this.info.id, listener: this.info.listenerName, cluster: this.ctx.config.cluster, err: message }, 'tcp proxy: upstream connection failed; resetting the client connection');
    this.reset();
  }

  /** Ends the client's connection with a reset (nothing it sent reached an upstream). */
  private reset(): void {
    this.closingLocally = true;
    const d = this.downstream;
    if (!d.destroyed) {
      if (typeof d.resetAndDestroy === 'function' && !d.connecting) d.resetAndDestroy();
      else d.destroy();
    }
  }

  private onDownstreamData(chunk: Buffer): void {
    this.metrics.received.value += chunk.length;
    this.lastActivity = performance.now();
    if (this.chain !== undefined) this.chain.downstreamData(chunk, false);
    else this.toUpstream([chunk], false);
  }

  private onDownstreamEnd(): void {
    if (this.chain !== undefined) this.chain.downstreamData(undefined, true);
    else this.toUpstream([], true);
  }

  private onUpstreamData(chunk: Buffer): void {
    this.lastActivity = performance.now();
    if (this.chain !== undefined) this.chain.upstreamData(chunk, false);
    else this.toDownstream([chunk], false);
  }

  private onUpstreamEnd(): void {
    if (this.chain !== undefined) this.chain.upstreamData(undefined, true);
    else this.toDownstream([], true);
  }

  private onDownstreamClose(hadError: boolean): void {
    this.downClosed = true;
    this.chain?.downstreamClosed(this.closingLocally ? 'local' : 'remote');
    this.cancelConnect?.();
    this.cancelConnect = undefined;
    const u = this.upstream;
    if (u !== undefined && !u.destroyed) {
      // Nobody is left to read the upstream's answer: pass on what the client sent, then close.
      if (hadError || this.closingLocally) u.destroy();
      else closeAfterFlush(u);
    }
    this.maybeFinish();
  }

  private onUpstreamClose(hadError: boolean): void {
    this.upClosed = true;
    this.chain?.upstreamClosed(this.closingLocally ? 'local' : 'remote');
    const d = this.downstream;
    if (!d.destroyed) {
      if (this.closingLocally) d.destroy();
      else if (hadError) this.reset();
      else closeAfterFlush(d);
    }
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finished || !this.downClosed || !this.upClosed) return;
    this.finished = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.chain?.completed();
    this.metrics.connectionsActive.dec();
    this.ctx.lease.release();
  }

  /** Pauses reading a side whose bytes cannot go anywhere, resumes it when they can. */
  private updateReading(): void {
    const pauseDown = this.upstreamFull || this.waitingBytes > HIGH_WATERMARK || this.chainDown > HIGH_WATERMARK;
    if (pauseDown !== this.downPaused) {
      this.downPaused = pauseDown;
      if (pauseDown) this.downstream.pause();
      else this.downstream.resume();
    }
    const u = this.upstream;
    if (u === undefined) return;
    const pauseUp = this.downstreamFull || this.chainUp > HIGH_WATERMARK;
    if (pauseUp !== this.upPaused) {
      this.upPaused = pauseUp;
      if (pauseUp) u.pause();
      else u.resume();
    }
  }

  private checkIdle(): void {
    if (this.finished) return;
    const idle = this.ctx.config.idle_timeout;
    const elapsed = performance.now() - this.lastActivity;
    if (elapsed >= idle) {
      this.logger.debug({ conn: this.info.id, idleMs: Math.round(elapsed) }, 'tcp proxy: idle timeout');
      this.close();
      return;
    }
    this.idleTimer = setTimeout(() => this.checkIdle(), idle - elapsed);
    this.idleTimer.unref();
  }
}

/** Ends our side of `s` once its buffered bytes are out, then closes it (its peer may never close its side). */
function closeAfterFlush(s: Socket): void {
  if (!s.writableEnded) s.end();
  if (s.writableFinished) s.destroy();
  else s.once('finish', () => s.destroy());
}

