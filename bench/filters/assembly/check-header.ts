// check-header: answers 403 unless the request carries header `name` with `value` (from the plugin configuration).
export * from "@weft/sdk/assembly/exports";
import { Action, HttpContext, LogLevel, RootContext, log, registerRootContext } from "@weft/sdk/assembly";

class CheckHeaderRoot extends RootContext {
  name: string = "x-bench";
  value: string = "weft";

  onConfigure(size: usize): bool {
    if (size == 0) return true;
    const cfg = this.pluginConfigurationJson();
    if (!cfg.ok) {
      log(LogLevel.Error, "check-header: invalid configuration: " + cfg.error);
      return false;
    }
    const o = cfg.object();
    this.name = o.getString("name", this.name);
    this.value = o.getString("value", this.value);
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new CheckHeader(contextId, this);
  }
}

class CheckHeader extends HttpContext {
  constructor(id: u32, readonly config: CheckHeaderRoot) {
    super(id, config);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const got = this.requestHeaders.get(this.config.name);
    if (got !== null && got == this.config.value) return Action.Continue;
    this.sendResponse(403, "missing " + this.config.name + "\n");
    return Action.Pause;
  }
}

registerRootContext((id: u32): RootContext => new CheckHeaderRoot(id), "");
