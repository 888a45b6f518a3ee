// tcp-guard: a network (TCP) filter that counts bytes each way and closes a connection whose
// client sends a forbidden token. Configuration (JSON): {"deny": ["DROP TABLE", "rm -rf"]}
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, LogLevel, PeerType, RootContext, TcpContext, log, registerRootContext,
} from "@weft/sdk/assembly";

class GuardRoot extends RootContext {
  deny: Array<string> = [];
  closed: Counter | null = null;

  onConfigure(size: usize): bool {
    const cfg = this.pluginConfigurationJson();
    if (!cfg.ok) return false;
    const list = cfg.object().getArray("deny");
    const deny: Array<string> = [];
    if (list !== null) {
      for (let i = 0; i < list.length; i++) {
        const v = list.at(i);
        if (v === null || v.asString("") == "") return false;
        deny.push(v.asString(""));
      }
    }
    this.deny = deny;
    this.closed = new Counter("tcp_guard_closed_total");
    return true;
  }

  createTcpContext(contextId: u32): TcpContext | null {
    return new Guard(contextId, this);
  }
}

class Guard extends TcpContext {
  fromClient: u64 = 0;
  fromServer: u64 = 0;
  // Bytes of the client stream already checked, so each chunk is scanned once (plus an overlap).
  checked: usize = 0;

  constructor(id: u32, readonly config: GuardRoot) {
    super(id, config);
  }

  onDownstreamData(dataSize: usize, endOfStream: bool): Action {
    this.fromClient += dataSize;
    const data = this.downstreamData.getString(0, dataSize);
    if (data === null) return Action.Continue;
    for (let i = 0; i < this.config.deny.length; i++) {
      if (data.includes(this.config.deny[i])) {
        log(LogLevel.Warn, "tcp-guard: closing connection " + this.id.toString() + ": forbidden token");
        const c = this.config.closed;
        if (c !== null) c.increment();
        this.closeDownstream();
        this.closeUpstream();
        return Action.Pause;
      }
    }
    return Action.Continue;
  }

  onUpstreamData(dataSize: usize, endOfStream: bool): Action {
    this.fromServer += dataSize;
    return Action.Continue;
  }

  onDownstreamClose(peer: PeerType): void {
    log(LogLevel.Debug, "tcp-guard: " + this.fromClient.toString() + " bytes in, " + this.fromServer.toString() + " out");
  }
}

registerRootContext((id: u32): RootContext => new GuardRoot(id), "tcp_guard");
