// HTTP and gRPC callouts of a root context: requests on the proxy's clusters, results delivered to the root context.
import { grpcLocalReplyFields, grpcStatusOfPeerHttp } from '../http/grpc.js';
import { HeaderMap } from '../http/header-map.js';
import type { UpstreamFailure, UpstreamRequest, UpstreamResponseHandler } from '../upstream/types.js';
import { Status } from './abi.js';
import { IdTable } from './id-table.js';
import type { RootContext } from './context.js';

/** gRPC status codes the host itself reports. */
const GRPC = { Ok: 0, Cancelled: 1, Unknown: 2, DeadlineExceeded: 4, Internal: 13, Unavailable: 14 } as const;

interface HttpCallout {
  readonly kind: 'http';
  req: UpstreamRequest | undefined;
  done: boolean;
}

interface GrpcCallout {
  readonly kind: 'grpc-call' | 'grpc-stream';
  req: UpstreamRequest | undefined;
  done: boolean;
  localClosed: boolean;
}

type Callout = HttpCallout | GrpcCallout;

function failureReply(failure: UpstreamFailure, message: string): { headers: HeaderMap; body: Buffer } {
  const timeout = failure === 'timeout';
  const body = Buffer.from(timeout ? 'upstream request timeout' : `upstream connect error or disconnect/reset before headers. reset reason: ${failure}${message ? ` (${message})` : ''}`);
  const headers = new HeaderMap([':status', timeout ? '504' : '503', 'content-length', String(body.length), 'content-type', 'text/plain']);
  return { headers, body };
}

/** One gRPC message frame: flag byte, 4-byte big-endian length, message. */
export function grpcFrame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** Collects gRPC frames from response data, yielding whole messages. */
class GrpcDeframer {
  private pending: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    while (this.pending.length >= 5) {
      const len = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + len) break;
      out.push(Buffer.from(this.pending.subarray(5, 5 + len)));
      this.pending = this.pending.subarray(5 + len);
    }
    return out;
  }
}

function decodeGrpcMessage(v: string | undefined): string {
  if (!v) return '';
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/**
 * Callouts of one root context. Tokens are unique within the VM (SDK dispatchers key on them).
 * Results are delivered with the VM idle: a response that arrives while the VM runs (e.g. an
 * immediate connect failure) waits until the VM's stack has unwound, as Envoy defers it.
 */
export class Callouts {
  private calls = new IdTable<Callout>();

  constructor(private readonly root: RootContext) {}

  private token(): number {
    return this.root.vm.allocToken();
  }

  httpCall(cluster: string, headerList: string[], body: Buffer, trailerList: string[], timeoutMs: number): { status: Status; token: number } {
    const c = this.root.vm.host.clusters()?.get(cluster);
    if (!c) return { status: Status.BadArgument, token: 0 };
    const headers = new HeaderMap();
    for (let i = 0; i + 1 < headerList.length; i += 2) headers.add(headerList[i]!, headerList[i + 1]!);
    if (!headers.get(':path') || !headers.get(':method') || !headers.get(':authority')) return { status: Status.BadArgument, token: 0 };
    if (!headers.has(':scheme')) headers.add(':scheme', 'http');
    if (body.length > 0) headers.set('content-length', String(body.length));
    const trailers = trailerList.length > 0 ? new HeaderMap() : undefined;
    for (let i = 0; i + 1 < trailerList.length; i += 2) trailers!.add(trailerList[i]!, trailerList[i + 1]!);
    const token = this.token();
    const call: HttpCallout = { kind: 'http', req: undefined, done: false };
    this.calls.set(token, call);
    let resHeaders: HeaderMap | undefined;
    const chunks: Buffer[] = [];
    let resTrailers: HeaderMap | undefined;
    const finish = () => {
      if (call.done) return;
      call.done = true;
      this.deliverHttp(token, resHeaders, Buffer.concat(chunks), resTrailers);
    };
    const handler: UpstreamResponseHandler = {
      onHeaders: (h, end) => {
        resHeaders = h;
        if (end) finish();
      },
      onData: (chunk, end) => {
        chunks.push(chunk);
        if (end) finish();
      },
      onTrailers: (t) => {
        resTrailers = t;
        finish();
      },
      onError: (failure, message, started) => {
        if (call.done) return;
        if (started) {
          call.done = true;
          this.deliverHttp(token, undefined, Buffer.alloc(0), undefined);
          return;
        }
        const r = failureReply(failure, message);
        resHeaders = r.headers;
        chunks.length = 0;
        chunks.push(r.body);
        finish();
      },
    };
    try {
      call.req = c.newRequest(headers, body.length === 0 && !trailers, handler, { timeoutMs });
      if (body.length > 0 && !call.done) call.req.sendData(body, !trailers);
      if (trailers && !call.done) call.req.sendTrailers(trailers);
    } catch (e) {
      this.calls.delete(token);
      this.root.vm.log.error({ err: e, cluster }, 'HTTP callout failed to start');
      return { status: Status.InternalFailure, token: 0 };
    }
    return { status: Status.Ok, token };
  }

  private deliverHttp(token: number, headers: HeaderMap | undefined, body: Buffer, trailers: HeaderMap | undefined): void {
    const root = this.root;
    root.vm.defer(() => {
      this.calls.delete(token);
      const f = root.vm.exports.proxy_on_http_call_response;
      if (!f || root.deleted || root.vm.failed) return;
      root.delivery = headers ? { headers, body, ...(trailers ? { trailers } : {}) } : undefined;
      root.status = headers ? { code: 0, message: '' } : { code: Status.BrokenConnection, message: 'reset' };
      try {
        root.vm.call(root, f, root.id, token, headers ? headers.size : 0, body.length, trailers ? trailers.size : 0);
      } finally {
        root.delivery = undefined;
        root.status = { code: 0, message: '' };
      }
    });
  }

  private grpcStart(kind: 'grpc-call' | 'grpc-stream', cluster: string, service: string, method: string, metadata: string[], timeoutMs: number): { status: Status; token: number; call?: GrpcCallout } {
    const c = this.root.vm.host.clusters()?.get(cluster);
    if (!c) return { status: Status.ParseFailure, token: 0 };
    if (c.protocol !== 'http2') {
      this.root.vm.log.warn({ cluster }, 'gRPC callout to a cluster that does not speak HTTP/2');
      return { status: Status.InternalFailure, token: 0 };
    }
    const headers = new HeaderMap([':method', 'POST', ':scheme', 'http', ':authority', cluster, ':path', `/${service}/${method}`, 'content-type', 'application/grpc', 'te', 'trailers']);
    for (let i = 0; i + 1 < metadata.length; i += 2) headers.add(metadata[i]!, metadata[i + 1]!);
    if (timeoutMs > 0) headers.set('grpc-timeout', `${timeoutMs}m`);
    const token = this.token();
    const call: GrpcCallout = { kind, req: undefined, done: false, localClosed: false };
    this.calls.set(token, call);
    const deframer = new GrpcDeframer();
    const stream = kind === 'grpc-stream';
    let initialDelivered = false;
    let trailingDelivered = false;
    // A stream's events follow Envoy's gRPC client: initial metadata (empty for a trailers-only
    // response or a failure), messages, trailing metadata (empty when there were none), close.
    // Metadata maps are the whole header and trailer blocks, as Envoy hands them to the filter.
    const initial = (metadata: HeaderMap) => {
      if (!stream || initialDelivered) return;
      initialDelivered = true;
      this.deliverGrpc(token, { type: 'initial', metadata });
    };
    const close = (status: number, message: string, trailing: HeaderMap = new HeaderMap()) => {
      if (call.done) return;
      call.done = true;
      if (stream) {
        initial(new HeaderMap());
        if (!trailingDelivered) {
          trailingDelivered = true;
          this.deliverGrpc(token, { type: 'trailing', metadata: trailing });
        }
      }
      this.deliverGrpc(token, { type: 'close', status, message });
    };
    const closeWith = (t: HeaderMap) => {
      close(Number(t.get('grpc-status') ?? GRPC.Unknown), decodeGrpcMessage(t.get('grpc-message')), t);
    };
    const handler: UpstreamResponseHandler = {
      onHeaders: (h, end) => {
        const httpStatus = Number(h.get(':status'));
        const hasStatus = h.get('grpc-status') !== undefined;
        if (end && hasStatus) return closeWith(h); // trailers-only
        if (httpStatus !== 200 || end) {
          // gRPC's HTTP-to-status table; a 2xx other than 200 is no success without a grpc-status.
          const mapped = grpcStatusOfPeerHttp(httpStatus);
          close(mapped, `HTTP status ${httpStatus}${end ? '' : ' without a gRPC status'}`);
          if (!end) call.req?.reset();
          return;
        }
        initial(h);
      },
      onData: (chunk, end) => {
        if (call.done) return;
        for (const m of deframer.push(chunk)) this.deliverGrpc(token, { type: 'message', message: m });
        if (end) close(GRPC.Unknown, 'the stream ended without gRPC trailers');
      },
      onTrailers: (t) => closeWith(t),
      onError: (failure, message, started) => {
        // Before a response: the status of Envoy's local reply (503 -> UNAVAILABLE, or the
        // deadline); after it began, a reset is INTERNAL, as Envoy's gRPC client reports it.
        const status = failure === 'timeout' ? GRPC.DeadlineExceeded : started ? GRPC.Internal : GRPC.Unavailable;
        const text = `${failure}${message ? `: ${message}` : ''}`;
        close(status, text, started ? new HeaderMap() : new HeaderMap(grpcLocalReplyFields(status, text)));
      },
    };
    try {
      call.req = c.newRequest(headers, false, handler, { timeoutMs });
    } catch (e) {
      this.calls.delete(token);
      this.root.vm.log.error({ err: e, cluster }, 'gRPC callout failed to start');
      return { status: Status.InternalFailure, token: 0 };
    }
    return { status: Status.Ok, token, call };
  }

  grpcCall(cluster: string, service: string, method: string, metadata: string[], message: Buffer, timeoutMs: number): { status: Status; token: number } {
    const r = this.grpcStart('grpc-call', cluster, service, method, metadata, timeoutMs);
    if (r.call && !r.call.done) r.call.req?.sendData(grpcFrame(message), true);
    return { status: r.status, token: r.token };
  }

  grpcStream(cluster: string, service: string, method: string, metadata: string[]): { status: Status; token: number } {
    const r = this.grpcStart('grpc-stream', cluster, service, method, metadata, 0);
    return { status: r.status, token: r.token };
  }

  grpcSend(token: number, message: Buffer, endStream: boolean): Status {
    const call = this.calls.get(token);
    if (!call) return Status.NotFound;
    if (call.kind !== 'grpc-stream') return Status.BadArgument;
    if (call.localClosed || call.done) return Status.Ok;
    call.req?.sendData(grpcFrame(message), endStream);
    if (endStream) call.localClosed = true;
    return Status.Ok;
  }

  /** Abort without a close callback. */
  grpcCancel(token: number): Status {
    const call = this.calls.get(token);
    if (!call) return Status.NotFound;
    if (call.kind === 'http') return Status.BadArgument;
    this.calls.delete(token);
    call.done = true;
    call.req?.reset();
    return Status.Ok;
  }

  /** A call is cancelled; a stream is half-closed (the module still gets its remaining messages and close). */
  grpcClose(token: number): Status {
    const call = this.calls.get(token);
    if (!call) return Status.NotFound;
    if (call.kind === 'http') return Status.BadArgument;
    if (call.kind === 'grpc-call') return this.grpcCancel(token);
    if (!call.localClosed && !call.done) call.req?.sendData(Buffer.alloc(0), true);
    call.localClosed = true;
    return Status.Ok;
  }

  private deliverGrpc(
    token: number,
    ev: { type: 'initial' | 'trailing'; metadata: HeaderMap } | { type: 'message'; message: Buffer } | { type: 'close'; status: number; message: string },
  ): void {
    const root = this.root;
    root.vm.defer(() => {
      const call = this.calls.get(token);
      if (!call) return;
      const e = root.vm.exports;
      if (root.deleted || root.vm.failed) return;
      try {
        if (ev.type === 'initial') {
          root.delivery = { headers: ev.metadata };
          if (e.proxy_on_grpc_receive_initial_metadata) root.vm.call(root, e.proxy_on_grpc_receive_initial_metadata, root.id, token, ev.metadata.size);
        } else if (ev.type === 'trailing') {
          root.delivery = { trailers: ev.metadata };
          if (e.proxy_on_grpc_receive_trailing_metadata) root.vm.call(root, e.proxy_on_grpc_receive_trailing_metadata, root.id, token, ev.metadata.size);
        } else if (ev.type === 'message') {
          root.delivery = { body: ev.message };
          if (call.kind === 'grpc-call') this.calls.delete(token);
          if (e.proxy_on_grpc_receive) root.vm.call(root, e.proxy_on_grpc_receive, root.id, token, ev.message.length);
        } else if (ev.type === 'close') {
          this.calls.delete(token);
          // A unary call that already delivered its response ends without a close callback (as Envoy).
          if (call.kind === 'grpc-call' && ev.status === GRPC.Ok) return;
          root.status = { code: ev.status, message: ev.message };
          if (e.proxy_on_grpc_close) root.vm.call(root, e.proxy_on_grpc_close, root.id, token, ev.status);
        }
      } finally {
        root.delivery = undefined;
        root.status = { code: 0, message: '' };
      }
    });
  }

  /** The root context is going away: abort everything still in flight. */
  cancelAll(): void {
    for (const c of this.calls.values()) {
      c.done = true;
      try {
        c.req?.reset();
      } catch {
        // already finished
      }
    }
    this.calls = new IdTable<Callout>();
  }
}
