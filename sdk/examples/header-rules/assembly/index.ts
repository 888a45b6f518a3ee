// header-rules: adds, sets and removes request and response headers as configured.
// Configuration (JSON):
//   {"request":  {"add": {"x-a": "1"}, "set": {"x-b": "2"}, "remove": ["x-internal"]},
//    "response": {"set": {"server": "weft"}, "remove": ["x-powered-by"]}}
export * from "@weft/sdk/assembly/exports";
import {
  Action, HeaderMap, HeaderPair, HttpContext, JsonObject, LogLevel, RootContext, log, registerRootContext,
} from "@weft/sdk/assembly";

class Rules {
  add: Array<HeaderPair> = [];
  set: Array<HeaderPair> = [];
  remove: Array<string> = [];

  static parse(o: JsonObject | null): Rules | null {
    const r = new Rules();
    if (o === null) return r;
    if (!readPairs(o.getObject("add"), r.add) || !readPairs(o.getObject("set"), r.set)) return null;
    const remove = o.getArray("remove");
    if (remove !== null) {
      for (let i = 0; i < remove.length; i++) {
        const name = remove.at(i);
        if (name === null || name.asString("") == "") return null;
        r.remove.push(name.asString(""));
      }
    }
    return r;
  }

  apply(headers: HeaderMap): void {
    for (let i = 0; i < this.remove.length; i++) headers.remove(this.remove[i]);
    for (let i = 0; i < this.set.length; i++) headers.set(this.set[i].name, this.set[i].value);
    for (let i = 0; i < this.add.length; i++) headers.add(this.add[i].name, this.add[i].value);
  }
}

function readPairs(o: JsonObject | null, out: Array<HeaderPair>): bool {
  if (o === null) return true;
  for (let i = 0; i < o.keys.length; i++) {
    const v = o.get(o.keys[i]);
    if (v === null || v.asString("\0") == "\0") return false;
    out.push(new HeaderPair(o.keys[i].toLowerCase(), v.asString("")));
  }
  return true;
}

class HeaderRulesRoot extends RootContext {
  request: Rules = new Rules();
  response: Rules = new Rules();

  onConfigure(size: usize): bool {
    const cfg = this.pluginConfigurationJson();
    if (!cfg.ok) {
      log(LogLevel.Error, "header-rules: configuration is not JSON: " + cfg.error);
      return false;
    }
    const request = Rules.parse(cfg.object().getObject("request"));
    const response = Rules.parse(cfg.object().getObject("response"));
    if (request === null || response === null) {
      log(LogLevel.Error, "header-rules: header values must be strings and names non-empty");
      return false;
    }
    this.request = request;
    this.response = response;
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new HeaderRules(contextId, this);
  }
}

class HeaderRules extends HttpContext {
  constructor(id: u32, readonly rules: HeaderRulesRoot) {
    super(id, rules);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    this.rules.request.apply(this.requestHeaders);
    return Action.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    this.rules.response.apply(this.responseHeaders);
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new HeaderRulesRoot(id), "header_rules");
