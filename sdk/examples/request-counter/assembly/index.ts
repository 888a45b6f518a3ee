// request-counter: counts requests across every VM of the plugin in shared data (compare-and-swap),
// exposes the count as the `x-request-count` response header and a counter metric, and logs the
// total on a timer. Configuration (JSON): {"key": "request_count", "report_every_ms": 10000}
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, HttpContext, LogLevel, RootContext, Status, getSharedData, log, registerRootContext,
  setSharedData,
} from "@weft/sdk/assembly";

const MAX_ATTEMPTS = 16;

/** Atomically adds one to the u64 at `key`; returns the new value, or 0 when the host refused. */
function incrementShared(key: string): u64 {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const cur = getSharedData(key);
    if (cur.status != Status.Ok && cur.status != Status.NotFound) return 0;
    const value = cur.value;
    const n: u64 = value !== null && value.byteLength == 8 ? load<u64>(changetype<usize>(value)) : 0;
    const next = new ArrayBuffer(8);
    store<u64>(changetype<usize>(next), n + 1);
    const s = setSharedData(key, next, cur.cas);
    if (s == Status.Ok) return n + 1;
    if (s != Status.CasMismatch) return 0;
  }
  return 0;
}

class CounterRoot extends RootContext {
  key: string = "request_count";
  requests: Counter | null = null;

  onConfigure(size: usize): bool {
    const cfg = this.pluginConfigurationJson();
    if (!cfg.ok) return false;
    const o = cfg.object();
    this.key = o.getString("key", "request_count");
    const every = o.getInteger("report_every_ms", 10000);
    if (every < 0 || every > 3600000) return false;
    this.requests = new Counter("request_counter_requests_total");
    this.setTickPeriod(<u32>every);
    return true;
  }

  onTick(): void {
    const cur = getSharedData(this.key);
    const v = cur.value;
    const n: u64 = v !== null && v.byteLength == 8 ? load<u64>(changetype<usize>(v)) : 0;
    log(LogLevel.Info, "request-counter: " + n.toString() + " requests");
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new Counted(contextId, this);
  }
}

class Counted extends HttpContext {
  count: u64 = 0;
  constructor(id: u32, readonly config: CounterRoot) {
    super(id, config);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    this.count = incrementShared(this.config.key);
    const c = this.config.requests;
    if (c !== null) c.increment();
    return Action.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    if (this.count > 0) this.responseHeaders.set("x-request-count", this.count.toString());
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new CounterRoot(id), "request_counter");
