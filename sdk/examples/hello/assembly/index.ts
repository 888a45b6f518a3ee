// hello: adds `x-hello` to every response and logs each request's path at debug level.
// Configuration (optional, JSON): {"header": "x-hello", "value": "world"}.
export * from "@weft/sdk/assembly/exports";
import {
  Action, HttpContext, LogLevel, RootContext, log, logEnabled, registerRootContext,
} from "@weft/sdk/assembly";

class HelloRoot extends RootContext {
  header: string = "x-hello";
  value: string = "world";

  onConfigure(size: usize): bool {
    const cfg = this.pluginConfigurationJson();
    if (!cfg.ok) {
      log(LogLevel.Error, "hello: invalid configuration: " + cfg.error);
      return false;
    }
    const o = cfg.object();
    this.header = o.getString("header", "x-hello");
    this.value = o.getString("value", "world");
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new Hello(contextId, this);
  }
}

class Hello extends HttpContext {
  constructor(id: u32, readonly config: HelloRoot) {
    super(id, config);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    if (logEnabled(LogLevel.Debug)) {
      const path = this.requestHeaders.get(":path");
      log(LogLevel.Debug, "hello: " + (path !== null ? path : "(no path)"));
    }
    return Action.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    this.responseHeaders.set(this.config.header, this.config.value);
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new HelloRoot(id), "hello");
