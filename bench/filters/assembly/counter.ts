// counter: counts requests in a counter metric (`name` from the plugin configuration, default bench_requests_total).
export * from "@weft/sdk/assembly/exports";
import { Action, Counter, HttpContext, LogLevel, RootContext, log, registerRootContext } from "@weft/sdk/assembly";

class CounterRoot extends RootContext {
  requests: Counter | null = null;

  onConfigure(size: usize): bool {
    let name = "bench_requests_total";
    if (size > 0) {
      const cfg = this.pluginConfigurationJson();
      if (!cfg.ok) {
        log(LogLevel.Error, "counter: invalid configuration: " + cfg.error);
        return false;
      }
      name = cfg.object().getString("name", name);
    }
    this.requests = new Counter(name);
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new Counted(contextId, this);
  }
}

class Counted extends HttpContext {
  constructor(id: u32, readonly config: CounterRoot) {
    super(id, config);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const c = this.config.requests;
    if (c !== null) c.increment();
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new CounterRoot(id), "");
