// One TCP connection through a plugin's network filter, driven by the test the way the proxy's TCP proxy drives it.
import { BodyBuffer, FilterAction, type ConnectionInfo, type NetworkFilter, type NetworkFilterCallbacks, type PeerType } from '../../proxy/wasm/index.js';
import { toBytes, type BodyInit } from './headers.js';
import type { StreamAction } from './http-stream.js';

/** One direction of a TCP connection at the filter. */
export class TcpSide {
  /** Bytes at the filter not passed on yet. */
  readonly held = new BodyBuffer();
  /** The filter holds this direction. */
  paused = false;
  /** The end (half close) of this direction went past the filter. */
  ended = false;
  private readonly passed: Buffer[] = [];
  /** @internal */ endReceived = false;

  /** Bytes the filter passed on, in order. */
  get data(): Buffer {
    if (this.passed.length > 1) this.passed.splice(0, this.passed.length, Buffer.concat(this.passed));
    return this.passed[0] ?? Buffer.alloc(0);
  }

  get text(): string {
    return this.data.toString('utf8');
  }

  /** @internal */
  pass(): void {
    for (const c of this.held.drain()) if (c.length > 0) this.passed.push(c);
    this.paused = false;
    if (this.endReceived) this.ended = true;
  }
}

let nextConnectionId = 1_000_000;

/**
 * A TCP connection through the network filter under test. `connect()` runs on_new_connection;
 * `sendDownstream` / `sendUpstream` deliver bytes; `downstream.data` is what the filter let
 * through to the upstream, `upstream.data` what it let through to the client. While the filter
 * holds the connection (Stop from on_new_connection) bytes are buffered and given to it once it
 * resumes.
 *
 * @example
 * const c = h.tcp();
 * c.connect();
 * assert.equal(c.sendDownstream('DROP TABLE users;'), 'stop');
 * assert.ok(c.closedByFilter);
 */
export class TcpConnection implements NetworkFilterCallbacks {
  readonly connection: ConnectionInfo;
  /** Client to upstream. */
  readonly downstream = new TcpSide();
  /** Upstream to client. */
  readonly upstream = new TcpSide();
  /** The filter closed the connection (proxy_close_stream). */
  closedByFilter = false;
  /** onConnectionComplete ran (the plugin got on_done / on_log / on_delete). */
  completed = false;
  private filter: NetworkFilter | undefined;
  private connected = false;
  private heldNew = false;
  private inFilter = false;
  private resumeAsked = false;

  constructor(
    private readonly makeFilter: (callbacks: NetworkFilterCallbacks) => NetworkFilter,
    connection: Partial<ConnectionInfo> = {},
    private readonly upstreamEndpoint = '198.51.100.20:9000',
  ) {
    this.connection = {
      id: nextConnectionId++,
      listenerName: 'tcp',
      remoteAddress: '192.0.2.10',
      remotePort: 52000,
      localAddress: '192.0.2.1',
      localPort: 9000,
      ...connection,
    };
  }

  private get f(): NetworkFilter {
    this.filter ??= this.makeFilter(this);
    return this.filter;
  }

  private run(call: () => FilterAction | undefined): boolean {
    this.inFilter = true;
    this.resumeAsked = false;
    let r: FilterAction | undefined;
    try {
      r = call();
    } finally {
      this.inFilter = false;
    }
    return (r ?? FilterAction.Continue) === FilterAction.Continue || this.resumeAsked;
  }

  private alive(): void {
    if (this.completed) throw new Error('the connection is complete');
  }

  /** A client connected: on_new_connection. */
  connect(): StreamAction {
    this.alive();
    if (this.connected) throw new Error('already connected');
    this.connected = true;
    if (this.run(() => this.f.onNewConnection?.())) return 'continue';
    this.heldNew = true;
    return 'stop';
  }

  /** Bytes from the client. */
  sendDownstream(data: BodyInit, endOfStream = false): StreamAction {
    return this.data(this.downstream, toBytes(data), endOfStream);
  }

  /** Bytes from the upstream. */
  sendUpstream(data: BodyInit, endOfStream = false): StreamAction {
    return this.data(this.upstream, toBytes(data), endOfStream);
  }

  private data(side: TcpSide, bytes: Buffer, eos: boolean): StreamAction {
    this.alive();
    if (!this.connected) this.connect();
    side.held.append(bytes);
    side.endReceived = eos;
    if (this.heldNew || this.closedByFilter) return 'stop';
    return this.deliver(side);
  }

  private deliver(side: TcpSide): StreamAction {
    const eos = side.endReceived;
    const go = this.run(() => (side === this.downstream ? this.f.onDownstreamData?.(side.held, eos) : this.f.onUpstreamData?.(side.held, eos)));
    if (this.closedByFilter) return 'stop';
    if (!go) {
      side.paused = true;
      return 'stop';
    }
    side.pass();
    return 'continue';
  }

  /** The client side closed (`peer`: who closed it). */
  closeDownstream(peer: PeerType = 'remote'): void {
    this.alive();
    this.f.onDownstreamClose?.(peer);
  }

  /** The upstream side closed. */
  closeUpstream(peer: PeerType = 'remote'): void {
    this.alive();
    this.f.onUpstreamClose?.(peer);
  }

  /** The connection is over: the plugin gets on_done, on_log, on_delete. */
  complete(): void {
    if (this.completed) return;
    this.completed = true;
    this.f.onConnectionComplete?.();
  }

  // ---- NetworkFilterCallbacks ----

  upstreamAddress(): string | undefined {
    return this.connected ? this.upstreamEndpoint : undefined;
  }

  continue(): void {
    if (this.inFilter) {
      this.resumeAsked = true;
      return;
    }
    if (this.completed || this.closedByFilter) return;
    if (this.heldNew) {
      this.heldNew = false;
      for (const side of [this.downstream, this.upstream]) if (side.held.length > 0 || side.endReceived) this.deliver(side);
      return;
    }
    for (const side of [this.downstream, this.upstream]) if (side.paused) side.pass();
  }

  close(): void {
    this.closedByFilter = true;
  }
}
