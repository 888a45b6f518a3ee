// proxy-wasm contexts: the root context of a plugin, and the HTTP and TCP stream contexts under it.
import { BufferType, MapType, Status, StreamType } from './abi.js';
import { BodyHostBuffer, ConstHostBuffer, type HostBuffer } from './buffers.js';
import type { HeaderMap } from '../http/header-map.js';
import type { BodyBuffer } from '../http/body-buffer.js';
import type { HttpFilterCallbacks, LocalReply } from '../http/filter.js';
import type { ConnectionInfo, StreamInfo } from '../http/stream-info.js';
import type { NetworkFilterCallbacks } from '../tcp/network-filter.js';
import type { PluginSpec } from './plugin-spec.js';
import type { WasmVm } from './vm.js';
import { TRAPPED } from './vm.js';
import type { Callouts } from './callouts.js';

/** A context as hostcalls see it: which maps and buffers exist now, and what stream control does. */
export abstract class Context {
  readonly id: number;
  readonly vm: WasmVm;
  abstract readonly root: RootContext;
  /** True after on_done/on_delete ran (or the VM failed): no more calls into the module for it. */
  deleted = false;

  constructor(vm: WasmVm) {
    this.vm = vm;
    this.id = vm.register(this);
  }

  /** The map of `type`, or undefined when it does not exist now (or is read-only and `write` is asked). */
  getMap(type: number, _write: boolean): HeaderMap | undefined {
    return this.root.callMap(type);
  }

  getBuffer(type: number): HostBuffer | undefined {
    return this.root.rootBuffer(type);
  }

  continueStream(_type: number): Status {
    return Status.Ok;
  }

  closeStream(_type: number): Status {
    return Status.Ok;
  }

  /** Envoy answers Ok and does nothing outside an HTTP stream; SDKs rely on Ok. */
  sendLocalResponse(_reply: LocalReply): Status {
    return Status.Ok;
  }

  streamInfo(): StreamInfo | undefined {
    return undefined;
  }

  connection(): ConnectionInfo | undefined {
    return this.streamInfo()?.connection;
  }

  /** Where proxy_set_property stores values: the stream's filter state. */
  filterState(): Map<string, Uint8Array> | undefined {
    return this.streamInfo()?.filterState;
  }

  /** proxy_done from this context: it was waiting (on_done answered false); finish it now. */
  done(): Status {
    if (!this.vm.pendingDone.has(this.id)) return Status.NotFound;
    this.vm.pendingDone.delete(this.id);
    this.vm.defer(() => this.finish());
    return Status.Ok;
  }

  /** on_log (streams) and on_delete, then forget the context. */
  protected finish(): void {
    this.vm.unregister(this.id);
    if (this.deleted) return;
    this.deleted = true;
    const e = this.vm.exports;
    if (this !== (this.root as Context) && e.proxy_on_log) this.vm.call(this, e.proxy_on_log, this.id);
    if (e.proxy_on_delete) this.vm.call(this, e.proxy_on_delete, this.id);
  }

  /** on_done; then finish now, or later when the module calls proxy_done. */
  protected close(): void {
    if (this.deleted || this.vm.failed) {
      this.deleted = true;
      this.vm.unregister(this.id);
      return;
    }
    const onDone = this.vm.exports.proxy_on_done;
    const r = onDone ? this.vm.call(this, onDone, this.id) : 1;
    if (r === 0) {
      this.vm.pendingDone.add(this.id);
      return;
    }
    this.finish();
  }
}

/** The response of an HTTP callout or the pieces of a gRPC exchange, readable while being delivered. */
interface Delivery {
  headers?: HeaderMap;
  trailers?: HeaderMap;
  body?: Uint8Array;
}

/**
 * The root context of one plugin in a VM: on_vm_start and on_configure, timers, callouts and
 * queue notifications are delivered here.
 */
export class RootContext extends Context {
  readonly root: RootContext = this;
  readonly plugin: PluginSpec;
  /** Callouts this root context started (HTTP and gRPC). */
  callouts: Callouts | undefined;
  /** What proxy_get_status reports: set while a callout result is delivered. */
  status: { code: number; message: string } = { code: 0, message: '' };
  /** While a callout response is delivered. */
  delivery: Delivery | undefined;
  private configuring = false;
  private listener: ((token: number) => void) | undefined;
  private cancelTick: (() => void) | undefined;
  private tickPeriod = 0;
  /** The stream contexts under this root that have not finished (a scan: only failures need it). */
  liveStreams(): StreamContext[] {
    const out: StreamContext[] = [];
    for (const c of this.vm.contexts.values()) if (c !== this && c.root === this && c instanceof StreamContext) out.push(c);
    return out;
  }

  constructor(vm: WasmVm, plugin: PluginSpec) {
    super(vm);
    this.plugin = plugin;
    vm.roots.set(this.id, this);
  }

  /** on_context_create, on_vm_start, on_configure. Returns why it failed, or undefined. */
  start(): string | undefined {
    const e = this.vm.exports;
    if (e.proxy_on_context_create && this.vm.call(this, e.proxy_on_context_create, this.id, 0) === TRAPPED) return `trapped in proxy_on_context_create: ${this.vm.failure}`;
    if (e.proxy_on_vm_start) {
      const r = this.vm.call(this, e.proxy_on_vm_start, this.id, this.plugin.vmConfiguration.length);
      if (r === TRAPPED) return `trapped in proxy_on_vm_start: ${this.vm.failure}`;
      if (r === 0) return 'proxy_on_vm_start returned false (the VM configuration was rejected)';
    }
    if (e.proxy_on_configure) {
      this.configuring = true;
      const r = this.vm.call(this, e.proxy_on_configure, this.id, this.plugin.configuration.length);
      this.configuring = false;
      if (r === TRAPPED) return `trapped in proxy_on_configure: ${this.vm.failure}`;
      if (r === 0) return 'proxy_on_configure returned false (the plugin configuration was rejected)';
    }
    return undefined;
  }

  /** The function shared queues call when an item arrives on a queue this root context registered. */
  queueListener(): (token: number) => void {
    this.listener ??= (token: number) => {
      const f = this.vm.exports.proxy_on_queue_ready;
      if (!f || this.deleted || this.vm.failed) return;
      this.vm.defer(() => this.vm.call(this, f, this.id, token));
    };
    return this.listener;
  }

  /** Stop timers and callouts, then on_done / on_delete. */
  shutdown(): void {
    this.stopTimer();
    if (this.listener) this.vm.host.sharedData.unregisterListener(this.listener);
    this.callouts?.cancelAll();
    this.vm.roots.delete(this.id);
    this.close();
  }

  callMap(type: number): HeaderMap | undefined {
    const d = this.delivery;
    if (!d) return undefined;
    switch (type) {
      case MapType.HttpCallResponseHeaders:
      case MapType.GrpcReceiveInitialMetadata:
        return d.headers;
      case MapType.HttpCallResponseTrailers:
      case MapType.GrpcReceiveTrailingMetadata:
        return d.trailers;
      default:
        return undefined;
    }
  }

  override getMap(type: number, write: boolean): HeaderMap | undefined {
    return write ? undefined : this.callMap(type);
  }

  rootBuffer(type: number): HostBuffer | undefined {
    switch (type) {
      case BufferType.VmConfiguration:
        return new ConstHostBuffer(this.plugin.vmConfiguration);
      case BufferType.PluginConfiguration:
        return this.configuring ? new ConstHostBuffer(this.plugin.configuration) : undefined;
      case BufferType.HttpCallResponseBody:
      case BufferType.GrpcReceiveBuffer:
        return this.delivery?.body ? new ConstHostBuffer(this.delivery.body) : undefined;
      case BufferType.CallData:
        return this.callData ? new ConstHostBuffer(this.callData) : undefined;
      default:
        return undefined;
    }
  }

  /** Arguments of the foreign function being called back (FOREIGN_FUNCTION_ARGUMENTS). */
  callData: Uint8Array | undefined;

  setTickPeriod(ms: number): void {
    this.stopTimer();
    this.tickPeriod = ms;
    if (ms === 0 || this.vm.failed) return;
    const onTick = this.vm.exports.proxy_on_tick;
    if (!onTick) return;
    this.cancelTick = this.vm.clock.every(ms, () => {
      if (this.vm.failed || this.deleted) return this.stopTimer();
      this.vm.call(this, onTick, this.id);
    });
  }

  get tickPeriodMs(): number {
    return this.tickPeriod;
  }

  stopTimer(): void {
    this.cancelTick?.();
    this.cancelTick = undefined;
  }
}

/** Told when the VM of a stream in flight fails (the filter adapter applies the fail strategy). */
export interface VmFailureHandler {
  vmFailed(): void;
}

/** Common part of HTTP and TCP stream contexts. */
export abstract class StreamContext extends Context {
  readonly root: RootContext;
  /** The filter adapter driving this stream. */
  failureHandler: VmFailureHandler | undefined = undefined;
  constructor(root: RootContext) {
    super(root.vm);
    this.root = root;
  }

  /** on_context_create for the stream. False when the VM is failed or trapped. */
  create(): boolean {
    const f = this.vm.exports.proxy_on_context_create;
    if (!f) return !this.vm.failed;
    return this.vm.call(this, f, this.id, this.root.id) !== TRAPPED;
  }

  /** The stream ended: on_done, on_log, on_delete (or wait for proxy_done). */
  complete(): void {
    this.close();
  }
}

/** Which side of an HTTP stream a map or buffer belongs to. */
export interface HttpSide {
  headers: HeaderMap | undefined;
  trailers: HeaderMap | undefined;
  body: BodyBuffer | undefined;
  /** Headers may be modified (in on_*_headers, or while held after it). */
  headersOpen: boolean;
  /** Trailers may be modified (in on_*_trailers or while held after it). */
  trailersOpen: boolean;
  /** In on_*_body with end_of_stream: trailers may be added. */
  lastBody: boolean;
  /** The filter asked to continue this side (proxy_continue_stream) during the current callback. */
  continueAsked: boolean;
}

function side(): HttpSide {
  return { headers: undefined, trailers: undefined, body: undefined, headersOpen: false, trailersOpen: false, lastBody: false, continueAsked: false };
}

/** One HTTP request/response exchange. The adapter in http-filter.ts drives it. */
export class HttpContext extends StreamContext {
  readonly callbacks: HttpFilterCallbacks;
  readonly request: HttpSide = side();
  readonly response: HttpSide = side();
  /** The callback the module is in ('request' / 'response'), for continue semantics. */
  inCallback: 'request' | 'response' | undefined;
  /** A local reply was asked for (proxy_send_local_response) and is pending or sent. */
  localReplied = false;
  logPhase = false;

  constructor(root: RootContext, callbacks: HttpFilterCallbacks) {
    super(root);
    this.callbacks = callbacks;
  }

  override streamInfo(): StreamInfo {
    return this.callbacks.info;
  }

  override getMap(type: number, write: boolean): HeaderMap | undefined {
    if (write && this.logPhase) return undefined;
    switch (type) {
      case MapType.HttpRequestHeaders: {
        const r = this.request;
        if (write) return r.headersOpen ? r.headers : undefined;
        return r.headers ?? this.callbacks.requestHeaders();
      }
      case MapType.HttpResponseHeaders: {
        const r = this.response;
        if (write) return r.headersOpen ? r.headers : undefined;
        return r.headers ?? this.callbacks.responseHeaders();
      }
      case MapType.HttpRequestTrailers: {
        const r = this.request;
        if (r.lastBody && !r.trailers) r.trailers = this.callbacks.requestTrailers(true);
        if (write) return r.trailersOpen || r.lastBody ? r.trailers : undefined;
        return r.trailers ?? this.callbacks.requestTrailers();
      }
      case MapType.HttpResponseTrailers: {
        const r = this.response;
        if (r.lastBody && !r.trailers) r.trailers = this.callbacks.responseTrailers(true);
        if (write) return r.trailersOpen || r.lastBody ? r.trailers : undefined;
        return r.trailers ?? this.callbacks.responseTrailers();
      }
      default:
        return super.getMap(type, write);
    }
  }

  override getBuffer(type: number): HostBuffer | undefined {
    if (type === BufferType.HttpRequestBody) {
      const b = this.request.body ?? this.callbacks.bufferedRequestBody();
      return b ? new BodyHostBuffer(b) : undefined;
    }
    if (type === BufferType.HttpResponseBody) {
      const b = this.response.body ?? this.callbacks.bufferedResponseBody();
      return b ? new BodyHostBuffer(b) : undefined;
    }
    return super.getBuffer(type);
  }

  override continueStream(type: number): Status {
    if (type === StreamType.HttpRequest) {
      if (this.inCallback === 'request') this.request.continueAsked = true;
      else
        this.vm.defer(() => {
          this.request.headersOpen = false;
          this.request.trailersOpen = false;
          if (!this.deleted) this.callbacks.continueRequest();
        });
      return Status.Ok;
    }
    if (type === StreamType.HttpResponse) {
      if (this.inCallback === 'response') this.response.continueAsked = true;
      else
        this.vm.defer(() => {
          this.response.headersOpen = false;
          this.response.trailersOpen = false;
          if (!this.deleted) this.callbacks.continueResponse();
        });
      return Status.Ok;
    }
    if (type === StreamType.Downstream || type === StreamType.Upstream) return Status.Ok;
    return Status.BadArgument;
  }

  override closeStream(type: number): Status {
    if (type === StreamType.HttpRequest || type === StreamType.HttpResponse) {
      const info = this.callbacks.info;
      if (info.responseCodeDetails === undefined) info.responseCodeDetails = 'wasm_close_stream';
      this.vm.defer(() => {
        if (!this.deleted) this.callbacks.resetStream();
      });
      return Status.Ok;
    }
    if (type === StreamType.Downstream || type === StreamType.Upstream) return Status.Ok;
    return Status.BadArgument;
  }

  override sendLocalResponse(reply: LocalReply): Status {
    this.localReplied = true;
    this.vm.defer(() => {
      if (!this.deleted) this.callbacks.sendLocalReply(reply);
    });
    return Status.Ok;
  }
}

/** One TCP connection (downstream and upstream halves). */
export class TcpContext extends StreamContext {
  readonly callbacks: NetworkFilterCallbacks;
  downstream: BodyBuffer | undefined;
  upstream: BodyBuffer | undefined;
  inCallback = false;
  continueAsked = false;
  downstreamClosed = false;
  upstreamClosed = false;

  constructor(root: RootContext, callbacks: NetworkFilterCallbacks) {
    super(root);
    this.callbacks = callbacks;
  }

  private state: Map<string, Uint8Array> | undefined;

  override connection(): ConnectionInfo {
    return this.callbacks.connection;
  }

  override filterState(): Map<string, Uint8Array> {
    return (this.state ??= new Map());
  }

  override getBuffer(type: number): HostBuffer | undefined {
    if (type === BufferType.DownstreamData) return this.downstream ? new BodyHostBuffer(this.downstream) : undefined;
    if (type === BufferType.UpstreamData) return this.upstream ? new BodyHostBuffer(this.upstream) : undefined;
    return super.getBuffer(type);
  }

  override continueStream(type: number): Status {
    if (type === StreamType.Downstream) {
      if (this.inCallback) this.continueAsked = true;
      else this.vm.defer(() => !this.deleted && this.callbacks.continue());
      return Status.Ok;
    }
    if (type === StreamType.Upstream) return Status.Unimplemented;
    if (type === StreamType.HttpRequest || type === StreamType.HttpResponse) return Status.Ok;
    return Status.BadArgument;
  }

  override closeStream(type: number): Status {
    if (type === StreamType.Downstream || type === StreamType.Upstream) {
      this.vm.defer(() => !this.deleted && this.callbacks.close());
      return Status.Ok;
    }
    if (type === StreamType.HttpRequest || type === StreamType.HttpResponse) return Status.Ok;
    return Status.BadArgument;
  }
}
