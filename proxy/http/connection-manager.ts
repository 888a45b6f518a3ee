// HttpConnectionManager: turns codec streams into filter-managed streams on the listener's current Snapshot.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../lib/log.js';
import type { PreparedFilterChains } from '../config/filter-chains.js';
import type { ClusterMetrics, ListenerMetrics } from '../stats/proxy-metrics.js';
import type { ClusterManager } from '../upstream/types.js';
import type { RequestDecoder, ResponseEncoder, ServerConnectionCallbacks } from './codec.js';
import type { HttpFilterFactory } from './filter.js';
import { FilterManager, type StreamContext, type TerminalStage } from './filter-manager.js';
import type { HeaderMap } from './header-map.js';
import type { CompiledRoute, RouteTable } from '../router/index.js';
import { Router } from './router-filter.js';
import { StreamInfoImpl } from './stream-info-impl.js';
import type { ConnectionInfo } from './stream-info.js';

/** Reference count of one Snapshot's resources: streams hold it while they run. */
export interface SnapshotLease {
  acquire(): void;
  release(): void;
}

/** Everything the streams of one HTTP listener use under one Snapshot. Immutable; replaced whole by apply. */
export interface HttpListenerRuntimeOptions {
  readonly listenerName: string;
  readonly routeTable: RouteTable;
  readonly clusters: ClusterManager;
  readonly filterChains: PreparedFilterChains;
  /** The listener's filter chain name, if any. */
  readonly filterChain?: string;
  readonly maxBufferBytes: number;
  readonly xffTrustedHops: number;
  readonly metrics: ListenerMetrics;
  readonly clusterMetrics: (cluster: string) => ClusterMetrics;
  readonly logger: Logger;
  readonly lease: SnapshotLease;
  /** Makes an x-request-id for requests without a valid one (default: requestIdGenerator()). */
  readonly newRequestId?: () => string;
}

/**
 * Request ids unique within this generator, and across processes with high probability: a
 * random 64-bit prefix and a counter ("5f3a9c0e1b2d4e6f-1a2b"). One per data plane, so ids do not
 * repeat across Snapshots. Cheaper than a UUID per request (no entropy, one small string).
 */
export function requestIdGenerator(): () => string {
  const prefix = `${randomBytes(8).toString('hex')}-`;
  let n = 0;
  return () => prefix + (++n).toString(16);
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:+\-]{1,128}$/;

/** The StreamContext of one listener under one Snapshot. */
export class HttpListenerRuntime implements StreamContext {
  readonly logger: Logger;
  readonly maxBufferBytes: number;
  readonly listenerFilters: readonly HttpFilterFactory[];
  readonly clusters: ClusterManager;
  private readonly newRequestId: () => string;

  constructor(readonly options: HttpListenerRuntimeOptions) {
    this.newRequestId = options.newRequestId ?? requestIdGenerator();
    this.logger = options.logger;
    this.maxBufferBytes = options.maxBufferBytes;
    this.clusters = options.clusters;
    this.listenerFilters = options.filterChain !== undefined ? options.filterChains.http(options.filterChain) : [];
  }

  prepareRequest(headers: HeaderMap, fm: FilterManager): void {
    const info = fm.info;
    const conn = info.connection;
    const trusted = this.options.xffTrustedHops > 0;
    const peer = conn.remoteAddress.startsWith('::ffff:') ? conn.remoteAddress.slice(7) : conn.remoteAddress;
    const xff = headers.get('x-forwarded-for');
    if (xff === undefined) headers.add('x-forwarded-for', peer);
    else headers.set('x-forwarded-for', `${headers.getAll('x-forwarded-for').join(', ')}, ${peer}`);
    if (!trusted || !headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', headers.get(':scheme') ?? 'http');
    if (!trusted || !headers.has('x-forwarded-host')) {
      const authority = headers.get(':authority');
      if (authority) headers.set('x-forwarded-host', authority);
      else headers.remove('x-forwarded-host');
    }
    const id = headers.get('x-request-id');
    if (id !== undefined && REQUEST_ID_RE.test(id) && headers.getAll('x-request-id').length === 1) {
      info.requestId = id;
    } else {
      info.requestId = this.newRequestId();
      headers.set('x-request-id', info.requestId);
    }
  }

  matchRoute(headers: HeaderMap): CompiledRoute | undefined {
    return this.options.routeTable.match(headers);
  }

  routeFilters(route: CompiledRoute): readonly HttpFilterFactory[] {
    return route.filterChain !== undefined ? this.options.filterChains.http(route.filterChain) : [];
  }

  createTerminal(fm: FilterManager): TerminalStage {
    return new Router(fm, this);
  }

  streamComplete(fm: FilterManager): void {
    const info = fm.info;
    const o = this.options;
    try {
      const code = fm.responseHeadersSent ? info.responseCode : undefined;
      o.metrics.requests(info.routeName ?? '', info.clusterName ?? '').count(code);
      const t = fm.terminalStage;
      if (t instanceof Router && t.upstreamStart > 0 && t.upstreamEnd > 0 && info.clusterName !== undefined) {
        o.clusterMetrics(info.clusterName).upstreamDuration.observe((t.upstreamEnd - t.upstreamStart) / 1000);
      }
      if (this.logger.isLevelEnabled('debug')) {
        this.logger.debug(
          {
            stream: info.requestId,
            listener: o.listenerName,
            method: fm.requestHeaders?.get(':method'),
            path: fm.requestHeaders?.get(':path'),
            route: info.routeName,
            cluster: info.clusterName,
            upstream: info.upstreamAddress,
            status: code,
            details: info.responseCodeDetails,
            reset: fm.resetCause,
            requestBytes: info.requestBodyBytes,
            responseBytes: info.responseBodyBytes,
          },
          'stream complete',
        );
      }
    } finally {
      o.lease.release();
    }
  }
}

/**
 * The ServerConnectionCallbacks of one listener, shared by every connection's codec (HTTP/1 and
 * HTTP/2). A new stream takes the runtime current at its start and keeps it to the end, so
 * streams in flight finish on their Snapshot when `update` swaps in the next.
 */
export class HttpConnectionManager implements ServerConnectionCallbacks {
  constructor(private runtime: HttpListenerRuntime) {}

  get current(): HttpListenerRuntime {
    return this.runtime;
  }

  update(runtime: HttpListenerRuntime): void {
    this.runtime = runtime;
  }

  newStream(encoder: ResponseEncoder, info: ConnectionInfo, protocol: 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2'): RequestDecoder {
    const rt = this.runtime;
    rt.options.lease.acquire();
    return new FilterManager(new StreamInfoImpl(info, protocol), encoder, rt);
  }
}
