// add-header: adds one request header, {"name": …, "value": …} from the plugin configuration.
export * from "@weft/sdk/assembly/exports";
import { Action, HttpContext, LogLevel, RootContext, log, registerRootContext } from "@weft/sdk/assembly";

class AddHeaderRoot extends RootContext {
  name: string = "x-bench";
  value: string = "weft";

  onConfigure(size: usize): bool {
    if (size == 0) return true;
    const cfg = this.pluginConfigurationJson();
    if (!cfg.ok) {
      log(LogLevel.Error, "add-header: invalid configuration: " + cfg.error);
      return false;
    }
    const o = cfg.object();
    this.name = o.getString("name", this.name);
    this.value = o.getString("value", this.value);
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new AddHeader(contextId, this);
  }
}

class AddHeader extends HttpContext {
  constructor(id: u32, readonly config: AddHeaderRoot) {
    super(id, config);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    this.requestHeaders.add(this.config.name, this.config.value);
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new AddHeaderRoot(id), "");
