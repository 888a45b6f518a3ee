// transform: rewrites requests and responses: headers (remove, rename, set, add) both ways, the
// request path (prefix), JSON body fields masked by path (cards, emails, whole values) both ways,
// and text replaced in response bodies. See ../README.md.
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, HeaderMap, HostBuffer, HttpContext, LogLevel, RootContext, log, logEnabled, parseJsonBytes,
  registerRootContext,
} from "@weft/sdk/assembly";
import { HeaderRules, SideConfig, TransformConfig, parseConfig } from "./config";
import { redact } from "./redact";

class TransformRoot extends RootContext {
  config: TransformConfig = new TransformConfig();
  redacted: Counter | null = null;
  skipped: Counter | null = null;

  onConfigure(size: usize): bool {
    const parsed = this.pluginConfigurationJson();
    if (!parsed.ok) {
      log(LogLevel.Error, "transform: configuration is not JSON: " + parsed.error);
      return false;
    }
    const c = parseConfig(parsed.object());
    if (c === null) return false;
    this.config = c;
    this.redacted = new Counter("transform_fields_redacted_total");
    this.skipped = new Counter("transform_bodies_skipped_total");
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new Transform(contextId, this);
  }
}

function applyHeaders(h: HeaderMap, rules: HeaderRules): void {
  for (let i = 0; i < rules.removes.length; i++) h.remove(unchecked(rules.removes[i]));
  for (let i = 0; i < rules.renames.length; i++) {
    const r = unchecked(rules.renames[i]);
    const v = h.get(r.name);
    if (v === null) continue;
    h.remove(r.name);
    h.set(r.value, v);
  }
  for (let i = 0; i < rules.sets.length; i++) h.set(unchecked(rules.sets[i]).name, unchecked(rules.sets[i]).value);
  for (let i = 0; i < rules.adds.length; i++) h.add(unchecked(rules.adds[i]).name, unchecked(rules.adds[i]).value);
}

function isJson(type: string): bool {
  const t = type.toLowerCase();
  const semi = t.indexOf(";");
  const base = (semi < 0 ? t : t.substring(0, semi)).trim();
  return base == "application/json" || (base.startsWith("application/") && base.endsWith("+json"));
}

function isText(type: string): bool {
  const t = type.toLowerCase();
  return t.startsWith("text/") || isJson(t) || t.startsWith("application/javascript") || t.startsWith("application/xml");
}

/** What to do with one direction's body, decided from its headers. */
class BodyPlan {
  json: bool = false;
  text: bool = false;
  size: i32 = 0;
  gaveUp: bool = false;
  get active(): bool {
    return (this.json || this.text) && !this.gaveUp;
  }
}

class Transform extends HttpContext {
  readonly req: BodyPlan = new BodyPlan();
  readonly res: BodyPlan = new BodyPlan();

  constructor(id: u32, readonly root_: TransformRoot) {
    super(id, root_);
  }

  /** Decides whether the body will be rewritten; if so the length and validators of the original no longer hold. */
  private plan(h: HeaderMap, side: SideConfig, plan: BodyPlan, endOfStream: bool, allowText: bool): void {
    if (endOfStream || !side.transformsBody) return;
    const type = h.get("content-type");
    const encoding = h.get("content-encoding");
    if (type === null || (encoding !== null && encoding.toLowerCase() != "identity")) return;
    plan.json = side.redact.length > 0 && isJson(type);
    plan.text = allowText && side.replace.length > 0 && isText(type);
    if (plan.active) {
      h.remove("content-length");
      h.remove("etag");
      h.remove("content-md5");
    }
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const cfg = this.root_.config;
    const h = this.requestHeaders;
    applyHeaders(h, cfg.request.headers);
    if (cfg.pathPrefix != "") {
      const path = h.get(":path");
      if (path !== null && path.startsWith(cfg.pathPrefix)) h.set(":path", cfg.pathReplacement + path.substring(cfg.pathPrefix.length));
    }
    this.plan(h, cfg.request, this.req, endOfStream, false);
    return Action.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    const cfg = this.root_.config;
    const h = this.responseHeaders;
    applyHeaders(h, cfg.response.headers);
    this.plan(h, cfg.response, this.res, endOfStream, true);
    return Action.Continue;
  }

  onRequestBody(bodySize: usize, endOfStream: bool): Action {
    return this.body(this.requestBody, this.root_.config.request, this.req, bodySize, endOfStream);
  }

  onResponseBody(bodySize: usize, endOfStream: bool): Action {
    return this.body(this.responseBody, this.root_.config.response, this.res, bodySize, endOfStream);
  }

  private body(buffer: HostBuffer, side: SideConfig, plan: BodyPlan, bodySize: usize, endOfStream: bool): Action {
    if (!plan.active) return Action.Continue;
    if (<i64>bodySize > <i64>this.root_.config.maxBodyBytes) {
      // Too large to hold: what is held goes on untouched.
      plan.gaveUp = true;
      const c = this.root_.skipped;
      if (c !== null) c.increment();
      log(LogLevel.Warn, "transform: body over max_body_bytes passed through untransformed");
      return Action.Continue;
    }
    if (!endOfStream) return Action.Pause;
    const bytes = buffer.get(0, bodySize);
    if (bytes === null) return Action.Continue;
    let out: ArrayBuffer | null = null;
    if (plan.json) {
      const parsed = parseJsonBytes(bytes);
      if (parsed.ok) {
        const n = redact(parsed.value!, side.redact);
        if (n > 0) {
          const c = this.root_.redacted;
          if (c !== null) c.increment(<u64>n);
          out = String.UTF8.encode(parsed.value!.toString());
        }
      } else if (logEnabled(LogLevel.Debug)) {
        log(LogLevel.Debug, "transform: body is not JSON (" + parsed.error + "); not redacted");
      }
    }
    if (plan.text && side.replace.length > 0) {
      let text = String.UTF8.decode(out !== null ? out : bytes);
      const before = text;
      for (let i = 0; i < side.replace.length; i++) text = text.replaceAll(unchecked(side.replace[i]).find, unchecked(side.replace[i]).replace);
      if (text != before) out = String.UTF8.encode(text);
    }
    if (out !== null) buffer.replace(out);
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new TransformRoot(id), "");
