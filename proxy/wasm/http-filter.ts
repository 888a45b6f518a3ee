// Adapts a plugin's HTTP stream contexts to the HttpFilter contract (Envoy's Wasm filter semantics).
import { FilterAction, type HttpFilter, type HttpFilterCallbacks, type HttpFilterFactory, type LocalReply } from '../http/filter.js';
import type { HeaderMap } from '../http/header-map.js';
import type { BodyBuffer } from '../http/body-buffer.js';
import { DataStatus, GRPC_UNAVAILABLE, HeadersStatus } from './abi.js';
import { HttpContext, type HttpSide, type VmFailureHandler } from './context.js';
import { TRAPPED } from './vm.js';
import type { WasmPlugin } from './plugin.js';

const { Continue, Stop } = FilterAction;

/** The reply of a plugin whose VM failed (fail_strategy closed or reload). */
export function pluginFailedReply(plugin: string, message: string | undefined): LocalReply {
  return {
    status: 503,
    body: JSON.stringify({ error: 'wasm_plugin_failed', plugin, message: message ?? 'the plugin is not running' }),
    headers: [
      ['content-type', 'application/json'],
      ['x-weft-error', 'wasm_plugin_failed'],
    ],
    details: `wasm_plugin_failed:${plugin}`,
    grpcStatus: GRPC_UNAVAILABLE,
  };
}

export class WasmHttpFilterFactory implements HttpFilterFactory {
  readonly name: string;
  readonly maxBufferBytes?: number;

  constructor(readonly plugin: WasmPlugin) {
    this.name = plugin.spec.name;
    if (plugin.spec.maxBufferBytes !== undefined) this.maxBufferBytes = plugin.spec.maxBufferBytes;
  }

  create(callbacks: HttpFilterCallbacks): HttpFilter {
    const root = this.plugin.root;
    if (!root) return new FailedHttpFilter(this.plugin, callbacks);
    const ctx = new HttpContext(root, callbacks);
    if (!ctx.create()) return new FailedHttpFilter(this.plugin, callbacks);
    return new WasmHttpFilter(this.plugin, ctx);
  }
}

/** Stands in for a plugin whose VM failed: open skips it, closed and reload answer 503. */
class FailedHttpFilter implements HttpFilter {
  private replied = false;
  constructor(
    private readonly plugin: WasmPlugin,
    private readonly callbacks: HttpFilterCallbacks,
  ) {}
  private act(): FilterAction {
    if (this.plugin.spec.failStrategy === 'open') return Continue;
    if (!this.replied) {
      this.replied = true;
      this.callbacks.sendLocalReply(pluginFailedReply(this.plugin.spec.name, this.plugin.failure));
    }
    return Stop;
  }
  onRequestHeaders(): FilterAction {
    return this.act();
  }
  onRequestBody(): FilterAction {
    return this.act();
  }
  onRequestTrailers(): FilterAction {
    return this.act();
  }
  onResponseHeaders(): FilterAction {
    return this.plugin.spec.failStrategy === 'open' || this.replied ? Continue : this.act();
  }
  onResponseBody(): FilterAction {
    return this.plugin.spec.failStrategy === 'open' || this.replied ? Continue : this.act();
  }
  onResponseTrailers(): FilterAction {
    return this.plugin.spec.failStrategy === 'open' || this.replied ? Continue : this.act();
  }
}

/** One stream on a running plugin. */
class WasmHttpFilter implements HttpFilter, VmFailureHandler {
  private failReplied = false;
  private complete = false;

  constructor(
    private readonly plugin: WasmPlugin,
    private readonly ctx: HttpContext,
  ) {
    ctx.failureHandler = this;
  }

  /** The VM failed while this stream was in flight (maybe held): apply the fail strategy now. */
  vmFailed(): void {
    if (this.complete) return;
    setImmediate(() => {
      if (this.complete) return;
      if (this.plugin.spec.failStrategy === 'open') {
        this.ctx.callbacks.continueRequest();
        this.ctx.callbacks.continueResponse();
      } else {
        this.failed();
      }
    });
  }

  private failed(): FilterAction {
    if (this.plugin.spec.failStrategy === 'open') return Continue;
    if (!this.failReplied && !this.complete) {
      this.failReplied = true;
      this.ctx.callbacks.sendLocalReply(pluginFailedReply(this.plugin.spec.name, this.plugin.failure ?? this.ctx.vm.failure));
    }
    return Stop;
  }

  private headers(side: HttpSide, dir: 'request' | 'response', fn: ((id: number, n: number, eos: number) => number) | undefined, headers: HeaderMap, eos: boolean): FilterAction {
    const ctx = this.ctx;
    if (ctx.vm.failed) return this.failed();
    side.headers = headers;
    if (!fn) return Continue;
    ctx.localReplied = false;
    side.headersOpen = true;
    side.continueAsked = false;
    ctx.inCallback = dir;
    const r = ctx.vm.call(ctx, fn, ctx.id, headers.size, eos ? 1 : 0);
    ctx.inCallback = undefined;
    if (r === TRAPPED) return this.failed();
    if (ctx.localReplied) return Stop;
    if (r === HeadersStatus.Continue || r === HeadersStatus.ContinueAndEndStream || side.continueAsked) {
      side.headersOpen = false;
      return Continue;
    }
    return Stop;
  }

  private body(side: HttpSide, dir: 'request' | 'response', fn: ((id: number, n: number, eos: number) => number) | undefined, body: BodyBuffer, eos: boolean): FilterAction {
    const ctx = this.ctx;
    if (ctx.vm.failed) return this.failed();
    if (!fn) return Continue;
    ctx.localReplied = false;
    side.body = body;
    side.lastBody = eos;
    side.continueAsked = false;
    ctx.inCallback = dir;
    const r = ctx.vm.call(ctx, fn, ctx.id, body.length, eos ? 1 : 0);
    ctx.inCallback = undefined;
    side.lastBody = false;
    if (r === TRAPPED) return this.failed();
    if (ctx.localReplied) return Stop;
    if (r === DataStatus.Continue || side.continueAsked) {
      side.body = undefined;
      side.headersOpen = false;
      return Continue;
    }
    if (r === DataStatus.StopIterationNoBuffer) {
      // Envoy drops data a filter neither buffers nor passes on.
      body.drain();
    }
    return Stop;
  }

  private trailers(side: HttpSide, dir: 'request' | 'response', fn: ((id: number, n: number) => number) | undefined, trailers: HeaderMap): FilterAction {
    const ctx = this.ctx;
    if (ctx.vm.failed) return this.failed();
    side.trailers = trailers;
    if (!fn) return Continue;
    ctx.localReplied = false;
    side.trailersOpen = true;
    side.continueAsked = false;
    ctx.inCallback = dir;
    const r = ctx.vm.call(ctx, fn, ctx.id, trailers.size);
    ctx.inCallback = undefined;
    if (r === TRAPPED) return this.failed();
    if (ctx.localReplied) return Stop;
    if (r === 0 || side.continueAsked) {
      side.trailersOpen = false;
      side.headersOpen = false;
      return Continue;
    }
    return Stop;
  }

  onRequestHeaders(headers: HeaderMap, endOfStream: boolean): FilterAction {
    return this.headers(this.ctx.request, 'request', this.ctx.vm.exports.proxy_on_request_headers, headers, endOfStream);
  }
  onRequestBody(body: BodyBuffer, endOfStream: boolean): FilterAction {
    return this.body(this.ctx.request, 'request', this.ctx.vm.exports.proxy_on_request_body, body, endOfStream);
  }
  onRequestTrailers(trailers: HeaderMap): FilterAction {
    return this.trailers(this.ctx.request, 'request', this.ctx.vm.exports.proxy_on_request_trailers, trailers);
  }
  onResponseHeaders(headers: HeaderMap, endOfStream: boolean): FilterAction {
    if (this.failReplied) return Continue;
    return this.headers(this.ctx.response, 'response', this.ctx.vm.exports.proxy_on_response_headers, headers, endOfStream);
  }
  onResponseBody(body: BodyBuffer, endOfStream: boolean): FilterAction {
    if (this.failReplied) return Continue;
    return this.body(this.ctx.response, 'response', this.ctx.vm.exports.proxy_on_response_body, body, endOfStream);
  }
  onResponseTrailers(trailers: HeaderMap): FilterAction {
    if (this.failReplied) return Continue;
    return this.trailers(this.ctx.response, 'response', this.ctx.vm.exports.proxy_on_response_trailers, trailers);
  }
  onStreamComplete(): void {
    if (this.complete) return;
    this.complete = true;
    const ctx = this.ctx;
    ctx.request.headersOpen = ctx.request.trailersOpen = false;
    ctx.response.headersOpen = ctx.response.trailersOpen = false;
    ctx.request.body = ctx.response.body = undefined;
    ctx.logPhase = true;
    ctx.complete();
  }
}
