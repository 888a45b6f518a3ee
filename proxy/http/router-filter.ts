// The terminal router: answers from the route (404, redirect, direct response) or forwards to a cluster.
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../lib/log.js';
import type { ClusterManager, UpstreamFailure, UpstreamRequest, UpstreamResponseHandler } from '../upstream/types.js';
import type { FilterManager, TerminalStage } from './filter-manager.js';
import { boundByGrpcTimeout } from './grpc.js';
import { requestHeadProblem } from './h1-wire.js';
import { HeaderMap } from './header-map.js';
import type { LocalErrorCode } from './local-error.js';
import type { CompiledRoute } from '../router/index.js';
import type { TlsInfo } from './stream-info.js';

export interface RouterContext {
  readonly clusters: ClusterManager;
  readonly logger: Logger;
}

const FAILURE_CODES: Record<UpstreamFailure, LocalErrorCode> = {
  connect_failed: 'upstream_connect_failed',
  connection_reset: 'upstream_reset',
  protocol_error: 'upstream_protocol_error',
  no_healthy_endpoint: 'no_healthy_endpoint',
  overflow: 'upstream_overflow',
  timeout: 'upstream_timeout',
};

/**
 * One per stream, created when the request head has passed every filter. Streams bodies both
 * ways with backpressure: a full upstream write buffer pauses the downstream, and the filter
 * manager pauses the upstream when the downstream cannot take more.
 */
export class Router implements TerminalStage, UpstreamResponseHandler {
  private upstream: UpstreamRequest | undefined;
  private route: CompiledRoute | undefined;
  private aborted = false;
  private finished = false;
  private requestBlocked = false;
  private pendingUpstreamDisables = 0;
  /** `performance.now()` when the upstream request started, and when its last byte came (0: not yet). */
  upstreamStart = 0;
  upstreamEnd = 0;

  constructor(
    private readonly fm: FilterManager,
    private readonly ctx: RouterContext,
  ) {}

  onRequestHeaders(headers: HeaderMap, endStream: boolean): void {
    const fm = this.fm;
    const route = fm.currentRoute();
    if (route === undefined) {
      fm.sendLocalError('route_not_found', `no route for ${headers.get(':authority') ?? ''}${headers.get(':path') ?? ''}`.slice(0, 200));
      return;
    }
    this.route = route;
    const action = route.action;
    switch (action.kind) {
      case 'direct': {
        const h = new HeaderMap([':status', String(action.status)]);
        if (action.body.length > 0) h.add('content-type', action.contentType);
        h.add('content-length', String(action.body.length));
        this.respond(route, h, action.body, 'direct_response');
        return;
      }
      case 'redirect': {
        const h = new HeaderMap([':status', String(action.status), 'location', action.location(headers), 'content-length', '0']);
        this.respond(route, h, undefined, 'redirect');
        return;
      }
      case 'forward':
        break;
    }
    const clusterName = action.pickCluster();
    fm.info.clusterName = clusterName;
    const cluster = this.ctx.clusters.get(clusterName);
    if (cluster === undefined) {
      fm.sendLocalError('cluster_not_found', `cluster "${clusterName}" does not exist`);
      return;
    }
    route.applyRequestHeaders(headers);
    action.rewrite(headers);
    const problem = requestHeadProblem(headers.get(':method') ?? '', headers.get(':path'), headers.get(':authority'));
    if (problem !== undefined) {
      fm.sendLocalError('invalid_request', `the request cannot be forwarded: ${problem}`);
      return;
    }
    const upgrade = headers.has('upgrade') || headers.get(':method') === 'CONNECT';
    this.upstreamStart = performance.now();
    this.upstream = cluster.newRequest(headers, endStream, this, {
      // A gRPC client's deadline bounds the route's timeout (the reply is then DEADLINE_EXCEEDED).
      timeoutMs: boundByGrpcTimeout(action.timeoutMs, headers.get('grpc-timeout')),
      upgrade,
      hashKey: fm.info.connection.remoteAddress,
    });
    for (; this.pendingUpstreamDisables > 0; this.pendingUpstreamDisables--) this.upstream.readDisable(true);
  }

  onRequestData(chunk: Buffer, endStream: boolean): void {
    const u = this.upstream;
    if (u === undefined || this.aborted || this.finished) return;
    if (!u.sendData(chunk, endStream) && !this.requestBlocked && !endStream) {
      this.requestBlocked = true;
      this.fm.readDisableDownstream(true);
    }
  }

  onRequestTrailers(trailers: HeaderMap): void {
    if (this.upstream === undefined || this.aborted || this.finished) return;
    this.upstream.sendTrailers(trailers);
  }

  readDisableUpstream(disable: boolean): void {
    if (this.upstream !== undefined) this.upstream.readDisable(disable);
    else this.pendingUpstreamDisables += disable ? 1 : -1;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.unblockRequest();
    if (this.upstream !== undefined && !this.finished) {
      this.finished = true;
      this.upstreamEnd = performance.now();
      this.upstream.reset();
    }
  }

  // --- UpstreamResponseHandler ---

  onUpstreamSelected(address: string, tls?: TlsInfo): void {
    this.fm.info.upstreamAddress = address;
    if (tls !== undefined) this.fm.info.upstreamTls = tls;
  }

  onInformational(headers: HeaderMap): void {
    if (!this.aborted) this.fm.encode1xx(headers);
  }

  onHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.aborted) return;
    this.fm.info.responseCodeDetails = 'via_upstream';
    this.route!.applyResponseHeaders(headers);
    if (endStream) this.upstreamDone();
    this.fm.encodeHeaders(headers, endStream);
  }

  onData(chunk: Buffer, endStream: boolean): void {
    if (this.aborted) return;
    if (endStream) this.upstreamDone();
    this.fm.encodeData(chunk, endStream);
  }

  onTrailers(trailers: HeaderMap): void {
    if (this.aborted) return;
    this.upstreamDone();
    this.fm.encodeTrailers(trailers);
  }

  onError(failure: UpstreamFailure, message: string, responseStarted: boolean): void {
    if (this.aborted || this.finished) return;
    this.upstreamDone();
    this.unblockRequest();
    this.ctx.logger.debug({ stream: this.fm.info.requestId, failure, message, upstream: this.fm.info.upstreamAddress }, 'upstream request failed');
    if (!responseStarted && !this.fm.responseHeadersSent) this.fm.sendLocalError(FAILURE_CODES[failure], message);
    else this.fm.resetStream();
  }

  onRequestDrain(): void {
    this.unblockRequest();
  }

  private unblockRequest(): void {
    if (this.requestBlocked) {
      this.requestBlocked = false;
      this.fm.readDisableDownstream(false);
    }
  }

  private upstreamDone(): void {
    this.finished = true;
    this.upstreamEnd = performance.now();
  }

  /** A response the route itself makes (direct response, redirect): it goes through every filter like an upstream's. */
  private respond(route: CompiledRoute, headers: HeaderMap, body: Buffer | undefined, details: string): void {
    this.fm.info.responseCodeDetails = details;
    route.applyResponseHeaders(headers);
    const hasBody = body !== undefined && body.length > 0;
    this.fm.encodeHeaders(headers, !hasBody);
    if (hasBody) this.fm.encodeData(body, true);
  }
}
