// The context of one TCP connection (downstream and upstream sides).
import { Action, PeerType, Status, StreamType } from "./abi/enums";
import { DOWNSTREAM_DATA, HostBuffer, UPSTREAM_DATA } from "./buffer";
import { Context } from "./context";
import { RootContext } from "./context-root";
import { makeEffective } from "./effective";
import { closeStream, continueStream } from "./hostcalls/streams";

/**
 * One proxied TCP connection. Data callbacks return `Action.Continue` to forward what is buffered
 * or `Action.Pause` to hold it.
 *
 * @example
 * class Counter extends TcpContext {
 *   bytes: u64 = 0;
 *   onDownstreamData(size: usize, endOfStream: bool): Action { this.bytes += size; return Action.Continue; }
 * }
 */
export class TcpContext extends Context {
  constructor(id: u32, readonly root: RootContext) {
    super(id);
  }

  onNewConnection(): Action {
    return Action.Continue;
  }
  /** Data from the client; `dataSize` is all that is buffered when paused. */
  onDownstreamData(dataSize: usize, endOfStream: bool): Action {
    return Action.Continue;
  }
  onDownstreamClose(peer: PeerType): void {}
  /** Data from the upstream; `dataSize` is all that is buffered when paused. */
  onUpstreamData(dataSize: usize, endOfStream: bool): Action {
    return Action.Continue;
  }
  onUpstreamClose(peer: PeerType): void {}

  /** Data received from the client (in `onDownstreamData`). */
  get downstreamData(): HostBuffer {
    makeEffective(this.id);
    return DOWNSTREAM_DATA;
  }
  /** Data received from the upstream (in `onUpstreamData`). */
  get upstreamData(): HostBuffer {
    makeEffective(this.id);
    return UPSTREAM_DATA;
  }

  resumeDownstream(): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : continueStream(StreamType.Downstream);
  }
  resumeUpstream(): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : continueStream(StreamType.Upstream);
  }
  closeDownstream(): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : closeStream(StreamType.Downstream);
  }
  closeUpstream(): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : closeStream(StreamType.Upstream);
  }
}
