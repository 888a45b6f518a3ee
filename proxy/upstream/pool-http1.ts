// The HTTP/1.1 cluster: a load balancer over endpoints, each with a keep-alive pool of raw sockets.
import type { ClusterConfig } from '../../api/snapshot/index.js';
import { formatAddress, type HostPort } from '../../api/snapshot/index.js';
import type { Logger } from '../../lib/log.js';
import type { H1ParserFactory } from '../http/h1-parser.js';
import { requestHeadProblem } from '../http/h1-wire.js';
import type { HeaderMap } from '../http/header-map.js';
import type { ClusterMetrics } from '../stats/proxy-metrics.js';
import type { UpstreamConnector } from './connector.js';
import { Http1ClientConnection, Http1UpstreamRequest, type ConnectionOwner } from './http1-client.js';
import type { LoadBalancer } from './load-balancer.js';
import { createLoadBalancer } from './load-balancers.js';
import { DeadlineSweeper } from '../http/deadline-sweeper.js';
import type { Cluster, UpstreamFailure, UpstreamRequest, UpstreamRequestOptions, UpstreamResponseHandler } from './types.js';

/** A cluster with a lifetime: the cluster manager closes it when no Snapshot uses it any more. */
export interface ClusterPool extends Cluster {
  /** Open (or opening) upstream connections. */
  readonly connectionCount: number;
  /** Closes idle connections now (drain); busy ones close when their request ends. */
  closeIdle(): void;
  /** Closes every connection and fails queued requests. */
  close(): void;
}

/** What a pool needs besides its cluster config. */
export interface PoolContext {
  readonly logger: Logger;
  readonly metrics: ClusterMetrics;
  readonly connector: UpstreamConnector;
  readonly random?: () => number;
  readonly parserFactory?: H1ParserFactory;
}

/** Route timeouts fire within 50–100 ms after they pass (one sweep of in-flight requests per 50 ms, no timer per request). */
const TIMEOUT_TICK_MS = 50;

/** Most requests one endpoint queues while all its connections are busy (503 upstream_overflow beyond). */
const MAX_PENDING_PER_ENDPOINT = 1024;

/** Creates the HTTP/1.1 pool of a cluster. */
export function createHttp1Pool(config: ClusterConfig, ctx: PoolContext): ClusterPool {
  return new Http1ClusterPool(config, ctx);
}

class Http1ClusterPool implements ClusterPool {
  readonly name: string;
  readonly protocol = 'http1' as const;
  private readonly endpoints: EndpointPool[];
  private readonly lb: LoadBalancer;
  /** Route timeouts of this cluster's requests in flight. */
  private readonly timeouts = new DeadlineSweeper(TIMEOUT_TICK_MS);

  constructor(config: ClusterConfig, ctx: PoolContext) {
    this.name = config.name;
    this.endpoints = config.endpoints.map((e) => new EndpointPool(e.address, config, ctx));
    this.lb = createLoadBalancer(
      config.lb_policy,
      config.endpoints.map((e) => e.weight),
      { random: ctx.random },
    );
  }

  get connectionCount(): number {
    let n = 0;
    for (const e of this.endpoints) n += e.connectionCount;
    return n;
  }

  newRequest(headers: HeaderMap, endStream: boolean, handler: UpstreamResponseHandler, options: UpstreamRequestOptions): UpstreamRequest {
    const req = new Http1UpstreamRequest(headers, endStream, handler, options, this.timeouts);
    const problem = requestHeadProblem(req.method, headers.get(':path'), headers.get(':authority'));
    if (problem !== undefined) {
      failLater(req, 'protocol_error', `cannot send this request over HTTP/1.1: ${problem}`);
      return req;
    }
    const i = this.lb.pick(options.hashKey);
    if (i === undefined) failLater(req, 'no_healthy_endpoint', `cluster "${this.name}" has no endpoints`);
    else this.endpoints[i]!.acquire(req);
    return req;
  }

  closeIdle(): void {
    for (const e of this.endpoints) e.closeIdle();
  }

  close(): void {
    for (const e of this.endpoints) e.close();
    this.timeouts.close();
  }
}

/** Reports a failure after newRequest returned (callers never see a handler call from inside newRequest). */
function failLater(req: Http1UpstreamRequest, failure: UpstreamFailure, message: string): void {
  queueMicrotask(() => req.fail(failure, message));
}

/** The connections of one endpoint: an idle stack (most recently used first), a cap, and a wait queue. */
class EndpointPool implements ConnectionOwner {
  readonly address: string;
  readonly logger: Logger;
  readonly connectTimeoutMs: number;
  readonly parserFactory: H1ParserFactory | undefined;
  private readonly idle: Http1ClientConnection[] = [];
  private readonly all = new Set<Http1ClientConnection>();
  private readonly pending: Http1UpstreamRequest[] = [];
  private readonly maxConnections: number;
  private readonly idleTimeoutMs: number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly cancel = (req: Http1UpstreamRequest) => {
    const i = this.pending.indexOf(req);
    if (i >= 0) this.pending.splice(i, 1);
  };

  constructor(
    private readonly endpoint: HostPort,
    config: ClusterConfig,
    private readonly ctx: PoolContext,
  ) {
    this.address = formatAddress(endpoint);
    this.logger = ctx.logger;
    this.connectTimeoutMs = config.connect_timeout;
    this.maxConnections = config.max_connections_per_endpoint;
    this.idleTimeoutMs = config.idle_timeout;
    this.parserFactory = ctx.parserFactory;
  }

  get connectionCount(): number {
    return this.all.size;
  }

  acquire(req: Http1UpstreamRequest): void {
    if (this.closed) {
      failLater(req, 'no_healthy_endpoint', `endpoint ${this.address} was removed`);
      return;
    }
    while (this.idle.length > 0) {
      const conn = this.idle.pop()!;
      if (conn.idle) {
        conn.assign(req);
        return;
      }
    }
    if (this.all.size < this.maxConnections) {
      const conn = this.open();
      if (conn !== undefined) conn.assign(req);
      else failLater(req, 'connect_failed', `cannot connect to ${this.address}`);
      return;
    }
    if (this.pending.length >= MAX_PENDING_PER_ENDPOINT) {
      failLater(req, 'overflow', `endpoint ${this.address}: ${this.maxConnections} connections busy and ${this.pending.length} requests queued`);
      return;
    }
    req.cancelHook = this.cancel;
    this.pending.push(req);
  }

  retry(req: Http1UpstreamRequest): void {
    this.logger.debug({ upstream: this.address }, 'reused connection closed before the response; retrying once');
    this.acquire(req);
  }

  connectionIdle(conn: Http1ClientConnection): void {
    if (conn.closed) return;
    if (this.closed) {
      conn.destroy();
      return;
    }
    const next = this.nextPending();
    if (next !== undefined) {
      conn.assign(next);
      return;
    }
    conn.idleSince = performance.now();
    this.idle.push(conn);
    this.scheduleSweep();
  }

  connectionClosed(conn: Http1ClientConnection): void {
    if (!this.all.delete(conn)) return;
    this.ctx.metrics.connectionsActive.dec();
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    // A waiting request takes the freed slot.
    if (!this.closed && this.all.size < this.maxConnections) {
      const next = this.nextPending();
      if (next !== undefined) {
        const c = this.open();
        if (c !== undefined) c.assign(next);
        else next.fail('connect_failed', `cannot connect to ${this.address}`);
      }
    }
  }

  closeIdle(): void {
    for (const conn of this.idle.splice(0)) conn.destroy();
  }

  close(): void {
    this.closed = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const req of this.pending.splice(0)) req.fail('no_healthy_endpoint', `cluster closed`);
    for (const conn of [...this.all]) conn.destroy();
  }

  private nextPending(): Http1UpstreamRequest | undefined {
    while (this.pending.length > 0) {
      const req = this.pending.shift()!;
      req.cancelHook = undefined;
      if (!req.done) return req;
    }
    return undefined;
  }

  private open(): Http1ClientConnection | undefined {
    let conn: Http1ClientConnection;
    try {
      conn = new Http1ClientConnection(this, this.ctx.connector(this.endpoint));
    } catch (err) {
      this.logger.warn({ err, upstream: this.address }, 'cannot open an upstream connection');
      return undefined;
    }
    this.all.add(conn);
    this.ctx.metrics.connectionsActive.inc();
    return conn;
  }

  private scheduleSweep(): void {
    if (this.sweepTimer !== undefined || this.idleTimeoutMs <= 0) return;
    const every = Math.max(250, Math.min(5000, Math.floor(this.idleTimeoutMs / 4)));
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  private sweep(): void {
    const cutoff = performance.now() - this.idleTimeoutMs;
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const conn = this.idle[i]!;
      if (conn.idleSince <= cutoff || !conn.idle) {
        this.idle.splice(i, 1);
        if (conn.idle) conn.destroy();
      }
    }
    if (this.idle.length === 0 && this.sweepTimer !== undefined) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
  }
}
