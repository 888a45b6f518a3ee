// The HTTP/2 cluster: a load balancer over endpoints, each with a pool of multiplexed HTTP/2 sessions.
import type { ClusterConfig } from '../../api/snapshot/index.js';
import type { HeaderMap } from '../http/header-map.js';
import type { ClusterPool, PoolContext } from './pool-http1.js';
import { DeadlineSweeper } from '../http/deadline-sweeper.js';
import { Http2EndpointPool, TIMEOUT_TICK_MS } from './pool-h2-endpoint.js';
import type { LoadBalancer } from './load-balancer.js';
import { createLoadBalancer } from './load-balancers.js';
import type { UpstreamFailure, UpstreamRequest, UpstreamRequestOptions, UpstreamResponseHandler } from './types.js';

/** Creates the pool of a `protocol: http2` cluster (the cluster manager's pool factory for http2). */
export function createHttp2Pool(config: ClusterConfig, ctx: PoolContext): ClusterPool {
  return new Http2ClusterPool(config, ctx);
}

class Http2ClusterPool implements ClusterPool {
  readonly name: string;
  readonly protocol = 'http2' as const;
  private readonly endpoints: Http2EndpointPool[];
  private readonly lb: LoadBalancer;
  /** Request timeouts of this cluster's requests in flight. */
  private readonly timeouts = new DeadlineSweeper(TIMEOUT_TICK_MS);

  constructor(config: ClusterConfig, ctx: PoolContext) {
    this.name = config.name;
    const gauge = ctx.metrics.connectionsActive;
    this.endpoints = config.endpoints.map(
      (e) =>
        new Http2EndpointPool({
          endpoint: e.address,
          connector: ctx.connector,
          connectTimeoutMs: config.connect_timeout,
          idleTimeoutMs: config.idle_timeout,
          maxConnections: config.max_connections_per_endpoint,
          logger: ctx.logger,
          timeouts: this.timeouts,
          onConnectionCountChange: (d) => (d > 0 ? gauge.inc() : gauge.dec()),
        }),
    );
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
    const i = this.lb.pick(options.hashKey);
    if (i === undefined) return failedRequest(handler, 'no_healthy_endpoint', `cluster "${this.name}" has no endpoints`);
    return this.endpoints[i]!.newRequest(headers, endStream, handler, options);
  }

  closeIdle(): void {
    for (const e of this.endpoints) e.closeIdle();
  }

  close(): void {
    for (const e of this.endpoints) e.close();
    this.timeouts.close();
  }
}

/** A request that failed before it started: the handler hears it after newRequest returned. */
function failedRequest(handler: UpstreamResponseHandler, failure: UpstreamFailure, message: string): UpstreamRequest {
  let live = true;
  queueMicrotask(() => {
    if (live) handler.onError(failure, message, false);
  });
  return {
    sendData: () => true,
    sendTrailers: () => {},
    reset: () => {
      live = false;
    },
    readDisable: () => {},
  };
}
