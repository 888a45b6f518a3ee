// body-redact: buffers text responses and masks configured words in them.
// Configuration (JSON): {"words": ["secret", "password"], "mask": "***", "max_bytes": 1048576}
export * from "@weft/sdk/assembly/exports";
import { Action, HttpContext, LogLevel, RootContext, log, registerRootContext } from "@weft/sdk/assembly";

class RedactRoot extends RootContext {
  words: Array<string> = [];
  mask: string = "***";
  maxBytes: usize = 1 << 20;

  onConfigure(size: usize): bool {
    const cfg = this.pluginConfigurationJson();
    if (!cfg.ok) return false;
    const o = cfg.object();
    const list = o.getArray("words");
    const words: Array<string> = [];
    if (list !== null) {
      for (let i = 0; i < list.length; i++) {
        const v = list.at(i);
        if (v === null || v.asString("") == "") return false;
        words.push(v.asString(""));
      }
    }
    const max = o.getInteger("max_bytes", 1 << 20);
    if (max <= 0) return false;
    this.words = words;
    this.mask = o.getString("mask", "***");
    this.maxBytes = <usize>max;
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new Redact(contextId, this);
  }
}

class Redact extends HttpContext {
  active: bool = false;

  constructor(id: u32, readonly config: RedactRoot) {
    super(id, config);
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    const type = this.responseHeaders.get("content-type");
    this.active = !endOfStream && type !== null && (type.startsWith("text/") || type.startsWith("application/json"));
    // The body changes length: the original content-length would be wrong.
    if (this.active) this.responseHeaders.remove("content-length");
    return Action.Continue;
  }

  onResponseBody(bodySize: usize, endOfStream: bool): Action {
    if (!this.active) return Action.Continue;
    if (bodySize > this.config.maxBytes) {
      log(LogLevel.Warn, "body-redact: body over max_bytes, passed through unredacted");
      this.active = false;
      return Action.Continue;
    }
    if (!endOfStream) return Action.Pause;
    const body = this.responseBody.getString(0, bodySize);
    if (body === null) return Action.Continue;
    let out = body;
    for (let i = 0; i < this.config.words.length; i++) out = out.replaceAll(this.config.words[i], this.config.mask);
    if (out != body) this.responseBody.replaceString(out);
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new RedactRoot(id), "body_redact");
