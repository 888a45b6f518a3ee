// rate-limit: a token bucket per key (a request header, the client address, or the route) in shared
// data, so every worker draws from the same buckets; over the limit a request gets 429 with
// Retry-After and x-ratelimit-* headers. See ../README.md.
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, HeaderPair, HttpContext, LogLevel, RootContext, getPropertyString, log, nowNanos,
  registerRootContext,
} from "@weft/sdk/assembly";
import { sha256String, toHex } from "@weft/sdk/assembly/crypto";
import { BucketSpec, take } from "./bucket";

enum KeySource {
  ClientAddress,
  Route,
  Header,
}

enum Missing {
  Shared,
  Allow,
  Deny,
}

class LimitRoot extends RootContext {
  source: KeySource = KeySource.ClientAddress;
  header: string = "";
  spec: BucketSpec = new BucketSpec(10, 0.01);
  maxTokens: f64 = 10;
  ratePerSecond: f64 = 10;
  status: u32 = 429;
  responseHeaders: bool = true;
  prefix: string = "rl:";
  missing: Missing = Missing.Shared;
  allowed: Counter | null = null;
  limited: Counter | null = null;
  retries: Counter | null = null;
  errors: Counter | null = null;

  private fail(message: string): bool {
    log(LogLevel.Error, "rate-limit: " + message);
    return false;
  }

  onConfigure(size: usize): bool {
    const parsed = this.pluginConfigurationJson();
    if (!parsed.ok) return this.fail("configuration is not JSON: " + parsed.error);
    const o = parsed.object();
    const key = o.getString("key", "client_address");
    if (key == "client_address") this.source = KeySource.ClientAddress;
    else if (key == "route") this.source = KeySource.Route;
    else if (key.startsWith("header:") && key.length > 7) {
      this.source = KeySource.Header;
      this.header = key.substring(7).toLowerCase();
    } else return this.fail("key must be client_address, route or header:<name>");
    const max = o.getNumber("max_tokens", 10);
    const perFill = o.getNumber("tokens_per_fill", max);
    const interval = o.getNumber("fill_interval_ms", 1000);
    if (!(max >= 1 && max <= 1e9)) return this.fail("max_tokens must be within 1..1e9");
    if (!(perFill > 0 && perFill <= 1e9)) return this.fail("tokens_per_fill must be positive");
    if (!(interval >= 1 && interval <= 86400000)) return this.fail("fill_interval_ms must be within 1..86400000");
    this.maxTokens = max;
    this.ratePerSecond = (perFill * 1000) / interval;
    this.spec = new BucketSpec(max, perFill / interval);
    const status = o.getInteger("status", 429);
    if (status < 400 || status > 599) return this.fail("status must be a 4xx or 5xx status");
    this.status = <u32>status;
    this.responseHeaders = o.getBool("response_headers", true);
    // Buckets of differently configured plugins sharing a vm_id must not mix.
    this.prefix = o.getString("key_prefix", "rl:" + key + ":");
    const missing = o.getString("missing_key", "shared");
    if (missing == "shared") this.missing = Missing.Shared;
    else if (missing == "allow") this.missing = Missing.Allow;
    else if (missing == "deny") this.missing = Missing.Deny;
    else return this.fail("missing_key must be shared, allow or deny");
    this.allowed = new Counter("rate_limit_allowed_total");
    this.limited = new Counter("rate_limit_limited_total");
    this.retries = new Counter("rate_limit_cas_retries_total");
    this.errors = new Counter("rate_limit_store_errors_total");
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new LimitFilter(contextId, this);
  }
}

/** The address of "ip:port" or "[v6]:port". */
function addressOnly(a: string): string {
  if (a.startsWith("[")) {
    const end = a.indexOf("]");
    return end > 0 ? a.substring(1, end) : a;
  }
  const colon = a.lastIndexOf(":");
  return colon > 0 && a.indexOf(":") == colon ? a.substring(0, colon) : a;
}

function seconds(x: f64): string {
  return (<i64>Math.max(0, Math.ceil(x))).toString();
}

class LimitFilter extends HttpContext {
  remaining: f64 = -1;

  constructor(id: u32, readonly cfg: LimitRoot) {
    super(id, cfg);
  }

  /** The bucket key's value for this request, or "" when there is none. */
  private keyValue(): string {
    const cfg = this.cfg;
    if (cfg.source == KeySource.Header) {
      const v = this.requestHeaders.get(cfg.header);
      return v === null ? "" : v;
    }
    if (cfg.source == KeySource.Route) return getPropertyString(["route_name"], "");
    return addressOnly(getPropertyString(["source", "address"], ""));
  }

  private rateHeaders(out: Array<HeaderPair>, tokens: f64): void {
    const cfg = this.cfg;
    out.push(new HeaderPair("x-ratelimit-limit", (<i64>cfg.maxTokens).toString()));
    out.push(new HeaderPair("x-ratelimit-remaining", (<i64>Math.max(0, Math.floor(tokens))).toString()));
    out.push(new HeaderPair("x-ratelimit-reset", seconds((cfg.maxTokens - tokens) / cfg.ratePerSecond)));
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const cfg = this.cfg;
    let value = this.keyValue();
    if (value == "") {
      if (cfg.missing == Missing.Allow) return Action.Continue;
      if (cfg.missing == Missing.Deny) {
        this.sendResponse(cfg.status, "rate limit key missing\n");
        return Action.Pause;
      }
      value = "(none)";
    }
    // Long or odd keys (header values) are hashed: shared-data keys stay short.
    if (value.length > 64) value = toHex(sha256String(value));
    const t = take(cfg.prefix + value, cfg.spec, <f64>nowNanos() / 1e6);
    if (t.retries > 0) {
      const c = cfg.retries;
      if (c !== null) c.increment(<u64>t.retries);
    }
    if (t.failed) {
      const c = cfg.errors;
      if (c !== null) c.increment();
      log(LogLevel.Warn, "rate-limit: shared data unavailable or contended; request allowed");
      return Action.Continue;
    }
    if (t.allowed) {
      const c = cfg.allowed;
      if (c !== null) c.increment();
      this.remaining = t.tokens;
      return Action.Continue;
    }
    const c = cfg.limited;
    if (c !== null) c.increment();
    const headers = new Array<HeaderPair>();
    headers.push(new HeaderPair("retry-after", seconds(Math.max(1, (1 - t.tokens) / cfg.ratePerSecond))));
    if (cfg.responseHeaders) this.rateHeaders(headers, t.tokens);
    headers.push(new HeaderPair("content-type", "text/plain"));
    this.sendLocalResponse(cfg.status, String.UTF8.encode("rate limited\n"), headers, "rate_limited");
    return Action.Pause;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    if (this.remaining >= 0 && this.cfg.responseHeaders) {
      const headers = new Array<HeaderPair>();
      this.rateHeaders(headers, this.remaining);
      for (let i = 0; i < headers.length; i++) this.responseHeaders.set(unchecked(headers[i]).name, unchecked(headers[i]).value);
    }
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new LimitRoot(id), "");
