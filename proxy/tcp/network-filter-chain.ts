// Runs a TCP connection's network filters in both directions: new-connection holds, Stop buffering, continue(), close.
import type { Logger } from '../../lib/log.js';
import { BodyBuffer } from '../http/body-buffer.js';
import { FilterAction } from '../http/filter.js';
import type { ConnectionInfo } from '../http/stream-info.js';
import type { NetworkFilter, NetworkFilterCallbacks, NetworkFilterFactory, PeerType } from './network-filter.js';

const { Stop } = FilterAction;

/** Where the chain delivers bytes that passed every filter, and what it asks of the connection. */
export interface NetworkChainSink {
  /** Bytes for the upstream (downstream -> upstream direction), in order; `end`: half-close after them. */
  toUpstream(chunks: readonly Buffer[], end: boolean): void;
  /** Bytes for the downstream client. */
  toDownstream(chunks: readonly Buffer[], end: boolean): void;
  /** Every filter passed onNewConnection: the connection may open its upstream now. */
  ready(): void;
  /** A filter asked to close the connection. */
  close(): void;
  /** Bytes held inside the chain changed (for read backpressure). */
  buffered(direction: 'downstream' | 'upstream', bytes: number): void;
  upstreamAddress(): string | undefined;
}

/** One direction's state at one filter. */
interface Slot {
  /** Bytes waiting at this filter (given to it on its next call, kept while it answers Stop). */
  readonly pending: BodyBuffer;
  /** The end of the stream reached this filter. */
  end: boolean;
  /** The filter saw the end (it answered Continue with endOfStream). */
  endPassed: boolean;
}

/**
 * The network filter chain of one TCP proxy connection, per the NetworkFilter contract:
 * - `onNewConnection` runs in chain order when the connection starts; a Stop holds everything
 *   behind that filter (no bytes pass it, later filters are not started, the upstream is not
 *   opened) until the filter calls `continue()`.
 * - Downstream bytes go through the filters in order, upstream bytes in reverse order. A filter
 *   that answers Stop keeps the bytes pending at it and is called again, with everything pending,
 *   when more arrive; `continue()` passes what it holds on without calling it again.
 * - A filter may modify the BodyBuffer it is given; the same buffer object is given to it each time.
 * - `continue()` called by a filter from inside its own callback makes that callback's answer
 *   Continue; other calls made while the chain runs are picked up when the current pass ends.
 * - A filter that throws is a bug: it is logged and the connection is closed.
 */
export class NetworkFilterChain {
  private readonly filters: NetworkFilter[] = [];
  private readonly names: string[] = [];
  private readonly down: Slot[] = [];
  private readonly up: Slot[] = [];
  /** Index of the first filter that has not passed onNewConnection (filters.length when all have). */
  private started = 0;
  /** A filter is holding the new connection (Stop from onNewConnection, no continue yet). */
  private holding = false;
  private running = false;
  /** The filter whose callback is running (-1: none), and whether it called continue() meanwhile. */
  private calling = -1;
  private continuedInCall = false;
  private again = false;
  private closedForError = false;
  private isReady = false;
  private complete = false;
  private readonly sink: NetworkChainSink;
  private readonly logger: Logger | undefined;

  constructor(factories: readonly NetworkFilterFactory[], connection: ConnectionInfo, sink: NetworkChainSink, logger?: Logger) {
    this.sink = sink;
    this.logger = logger;
    for (let i = 0; i <= factories.length; i++) {
      this.down.push({ pending: new BodyBuffer(), end: false, endPassed: false });
      this.up.push({ pending: new BodyBuffer(), end: false, endPassed: false });
    }
    factories.forEach((f, i) => {
      const callbacks: NetworkFilterCallbacks = {
        connection,
        upstreamAddress: () => sink.upstreamAddress(),
        continue: () => this.resume(i),
        close: () => sink.close(),
      };
      let filter: NetworkFilter;
      try {
        filter = f.create(callbacks);
      } catch (e) {
        this.logger?.error({ err: e, filter: f.name }, 'network filter create threw; closing the connection');
        filter = {};
        this.closedForError = true;
      }
      this.filters.push(filter);
      this.names.push(f.name);
    });
  }

  /** Starts the filters (onNewConnection in order). */
  start(): void {
    if (this.closedForError) {
      this.sink.close();
      return;
    }
    this.run();
  }

  /** Bytes from the downstream client (`end`: it half-closed). */
  downstreamData(chunk: Buffer | undefined, end: boolean): void {
    const s = this.down[0]!;
    if (chunk !== undefined) s.pending.append(chunk);
    if (end) s.end = true;
    this.run();
  }

  /** Bytes from the upstream. */
  upstreamData(chunk: Buffer | undefined, end: boolean): void {
    const s = this.up[this.filters.length]!;
    if (chunk !== undefined) s.pending.append(chunk);
    if (end) s.end = true;
    this.run();
  }

  downstreamClosed(peer: PeerType): void {
    for (let i = 0; i < this.filters.length; i++) this.safe(i, () => this.filters[i]!.onDownstreamClose?.(peer));
  }

  upstreamClosed(peer: PeerType): void {
    for (let i = 0; i < this.filters.length; i++) this.safe(i, () => this.filters[i]!.onUpstreamClose?.(peer));
  }

  /** The connection is over: onConnectionComplete once per filter. */
  completed(): void {
    if (this.complete) return;
    this.complete = true;
    for (let i = 0; i < this.filters.length; i++) this.safe(i, () => this.filters[i]!.onConnectionComplete?.());
  }

  /** Bytes held in the chain in one direction (not counting what was delivered). */
  bufferedBytes(direction: 'downstream' | 'upstream'): number {
    const slots = direction === 'downstream' ? this.down : this.up;
    let n = 0;
    for (const s of slots) n += s.pending.length;
    return n;
  }

  // Internals

  /** continue() from filter i. */
  private resume(i: number): void {
    if (this.complete) return;
    if (this.calling === i) {
      // From inside the filter's own callback: its answer counts as Continue.
      this.continuedInCall = true;
      return;
    }
    if (this.holding && this.started === i) {
      this.holding = false;
      this.started = i + 1;
    }
    // Whatever the filter holds passes on without calling it again.
    this.passDown(i);
    this.passUp(i);
    this.run();
  }

  private passDown(i: number): void {
    const here = this.down[i]!;
    const next = this.down[i + 1]!;
    next.pending.move(here.pending);
    if (here.end) {
      here.endPassed = true;
      next.end = true;
    }
  }

  private passUp(i: number): void {
    const here = this.up[i + 1]!;
    const next = this.up[i]!;
    if (!this.isReady) return;
    next.pending.move(here.pending);
    if (here.end) {
      here.endPassed = true;
      next.end = true;
    }
  }

  /** One pass over both directions; repeated while calls came in during it. */
  private run(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        this.startFilters();
        this.runDown();
        if (this.isReady) this.runUp();
      } while (this.again && !this.complete && !this.closedForError);
    } finally {
      this.running = false;
    }
    this.sink.buffered('downstream', this.bufferedBytes('downstream'));
    this.sink.buffered('upstream', this.bufferedBytes('upstream'));
  }

  private startFilters(): void {
    const n = this.filters.length;
    while (!this.holding && this.started < n && !this.closedForError) {
      const i = this.started;
      const f = this.filters[i]!;
      const r = f.onNewConnection === undefined ? FilterAction.Continue : this.call(i, () => f.onNewConnection!());
      if (this.closedForError) return;
      if (r === Stop) {
        this.holding = true;
        return;
      }
      this.started = i + 1;
    }
    if (this.started === n && !this.holding && !this.isReady) {
      this.isReady = true;
      this.sink.ready();
    }
  }

  private runDown(): void {
    const n = this.filters.length;
    // Filters that have started get downstream bytes; a holding filter may take them too, but nothing passes it.
    const limit = this.holding ? this.started + 1 : this.started;
    for (let i = 0; i < limit && i < n; i++) {
      const s = this.down[i]!;
      if (s.pending.length === 0 && (!s.end || s.endPassed)) continue;
      const f = this.filters[i]!;
      const end = s.end;
      const r = f.onDownstreamData === undefined ? FilterAction.Continue : this.call(i, () => f.onDownstreamData!(s.pending, end));
      if (this.closedForError || r === Stop) return;
      this.passDown(i);
      // A filter holding the new connection lets nothing past it: bytes wait behind it until continue().
      if (this.holding && i === this.started) return;
    }
    if (this.started < n) return;
    const out = this.down[n]!;
    if (out.pending.length > 0 || (out.end && !out.endPassed)) {
      if (!this.isReady) return;
      const end = out.end && !out.endPassed;
      if (end) out.endPassed = true;
      this.sink.toUpstream(out.pending.drain(), end);
    }
  }

  private runUp(): void {
    const n = this.filters.length;
    for (let i = n - 1; i >= 0; i--) {
      const s = this.up[i + 1]!;
      if (s.pending.length === 0 && (!s.end || s.endPassed)) continue;
      const f = this.filters[i]!;
      const end = s.end;
      const r = f.onUpstreamData === undefined ? FilterAction.Continue : this.call(i, () => f.onUpstreamData!(s.pending, end));
      if (this.closedForError) return;
      if (r === Stop) return;
      this.passUp(i);
    }
    const out = this.up[0]!;
    if (out.pending.length > 0 || (out.end && !out.endPassed)) {
      const end = out.end && !out.endPassed;
      if (end) out.endPassed = true;
      this.sink.toDownstream(out.pending.drain(), end);
    }
  }

  private call(i: number, fn: () => FilterAction): FilterAction {
    const outer = this.calling;
    this.calling = i;
    this.continuedInCall = false;
    try {
      const r = fn();
      return this.continuedInCall ? FilterAction.Continue : r;
    } catch (e) {
      this.logger?.error({ err: e, filter: this.names[i] }, 'network filter threw; closing the connection');
      this.closedForError = true;
      this.sink.close();
      return Stop;
    } finally {
      this.calling = outer;
      this.continuedInCall = false;
    }
  }

  private safe(i: number, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.logger?.error({ err: e, filter: this.names[i] }, 'network filter threw in a close callback');
    }
  }
}
