// Adapts a plugin's TCP stream contexts to the NetworkFilter contract.
import { FilterAction, type FilterAction as Action } from '../http/filter.js';
import type { BodyBuffer } from '../http/body-buffer.js';
import type { NetworkFilter, NetworkFilterCallbacks, NetworkFilterFactory, PeerType } from '../tcp/network-filter.js';
import { PeerType as AbiPeer } from './abi.js';
import { TcpContext, type VmFailureHandler } from './context.js';
import { TRAPPED } from './vm.js';
import type { WasmPlugin } from './plugin.js';

const { Continue, Stop } = FilterAction;

const PEER: Record<PeerType, number> = { unknown: AbiPeer.Unknown, local: AbiPeer.Local, remote: AbiPeer.Remote };

export class WasmNetworkFilterFactory implements NetworkFilterFactory {
  readonly name: string;
  constructor(readonly plugin: WasmPlugin) {
    this.name = plugin.spec.name;
  }

  create(callbacks: NetworkFilterCallbacks): NetworkFilter {
    const root = this.plugin.root;
    const ctx = root ? new TcpContext(root, callbacks) : undefined;
    if (!ctx || !ctx.create()) return failedNetworkFilter(this.plugin, callbacks);
    return new WasmNetworkFilter(this.plugin, ctx);
  }
}

/** open: pass bytes through; closed and reload: close the connection. */
function failedNetworkFilter(plugin: WasmPlugin, callbacks: NetworkFilterCallbacks): NetworkFilter {
  if (plugin.spec.failStrategy === 'open') return {};
  let closed = false;
  const close = (): Action => {
    if (!closed) {
      closed = true;
      callbacks.close();
    }
    return Stop;
  };
  return { onNewConnection: close, onDownstreamData: close, onUpstreamData: close };
}

class WasmNetworkFilter implements NetworkFilter, VmFailureHandler {
  private complete = false;
  private closedForFailure = false;

  constructor(
    private readonly plugin: WasmPlugin,
    private readonly ctx: TcpContext,
  ) {
    ctx.failureHandler = this;
  }

  /** The VM failed while this connection was open: apply the fail strategy once the stack unwound. */
  vmFailed(): void {
    setImmediate(() => this.onFailure());
  }

  private onFailure(): Action {
    if (this.complete) return Stop;
    if (this.plugin.spec.failStrategy === 'open') {
      this.ctx.callbacks.continue();
      return Continue;
    }
    if (!this.closedForFailure) {
      this.closedForFailure = true;
      this.ctx.callbacks.close();
    }
    return Stop;
  }

  private run(fn: ((id: number, n: number, eos: number) => number) | undefined, a: number, b: number): Action {
    const ctx = this.ctx;
    if (ctx.vm.failed) return this.onFailure();
    if (!fn) return Continue;
    ctx.inCallback = true;
    ctx.continueAsked = false;
    const r = ctx.vm.call(ctx, fn, ctx.id, a, b);
    ctx.inCallback = false;
    if (r === TRAPPED) return this.onFailure();
    return r === 0 || ctx.continueAsked ? Continue : Stop;
  }

  onNewConnection(): Action {
    return this.run(this.ctx.vm.exports.proxy_on_new_connection as ((id: number, n: number, eos: number) => number) | undefined, 0, 0);
  }

  onDownstreamData(data: BodyBuffer, endOfStream: boolean): Action {
    this.ctx.downstream = data;
    const r = this.run(this.ctx.vm.exports.proxy_on_downstream_data, data.length, endOfStream ? 1 : 0);
    if (r === Continue) this.ctx.downstream = undefined;
    return r;
  }

  onUpstreamData(data: BodyBuffer, endOfStream: boolean): Action {
    this.ctx.upstream = data;
    const r = this.run(this.ctx.vm.exports.proxy_on_upstream_data, data.length, endOfStream ? 1 : 0);
    if (r === Continue) this.ctx.upstream = undefined;
    return r;
  }

  onDownstreamClose(peer: PeerType): void {
    const f = this.ctx.vm.exports.proxy_on_downstream_connection_close;
    this.ctx.downstreamClosed = true;
    if (f && !this.ctx.vm.failed) this.ctx.vm.call(this.ctx, f, this.ctx.id, PEER[peer]);
  }

  onUpstreamClose(peer: PeerType): void {
    const f = this.ctx.vm.exports.proxy_on_upstream_connection_close;
    this.ctx.upstreamClosed = true;
    if (f && !this.ctx.vm.failed) this.ctx.vm.call(this.ctx, f, this.ctx.id, PEER[peer]);
  }

  onConnectionComplete(): void {
    if (this.complete) return;
    this.complete = true;
    this.ctx.downstream = this.ctx.upstream = undefined;
    this.ctx.complete();
  }
}
