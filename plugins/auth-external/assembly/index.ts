// auth-external: ext-authz over HTTP. Each request pauses while the filter asks an authorization
// service (an HTTP callout with the request's method, path and chosen headers). A 2xx answer lets it
// through, copying chosen headers onto it; another 4xx/3xx answer is relayed to the client (status,
// body, chosen headers); a failure (timeout, connect error, 5xx) fails closed or open by
// configuration. See ../README.md.
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, HeaderPair, HttpCallResponse, HttpCallback, HttpContext, JsonObject, LogLevel, RootContext, Status,
  getPropertyString, log, registerRootContext,
} from "@weft/sdk/assembly";

function headerList(names: Array<string>): Array<string> {
  const out = new Array<string>();
  for (let i = 0; i < names.length; i++) out.push(unchecked(names[i]).toLowerCase());
  return out;
}

class AuthzRoot extends RootContext {
  cluster: string = "";
  authority: string = "";
  pathPrefix: string = "";
  timeoutMs: u32 = 200;
  failureModeAllow: bool = false;
  statusOnError: u32 = 403;
  requestHeaders: Array<string> = ["authorization", "cookie", "x-request-id"];
  upstreamHeaders: Array<string> = [];
  clientHeaders: Array<string> = ["www-authenticate"];
  sendClientAddress: bool = true;
  allowed: Counter | null = null;
  denied: Counter | null = null;
  errors: Counter | null = null;

  private fail(message: string): bool {
    log(LogLevel.Error, "auth-external: " + message);
    return false;
  }

  private names(o: JsonObject, key: string, fallback: Array<string>): Array<string> | null {
    const a = o.getArray(key);
    if (a === null) return o.has(key) ? null : fallback;
    const out = new Array<string>();
    for (let i = 0; i < a.length; i++) {
      const s = a.at(i)!.asString("");
      if (s == "" || s.startsWith(":")) return null;
      out.push(s);
    }
    return headerList(out);
  }

  onConfigure(size: usize): bool {
    const parsed = this.pluginConfigurationJson();
    if (!parsed.ok) return this.fail("configuration is not JSON: " + parsed.error);
    const o = parsed.object();
    this.cluster = o.getString("cluster");
    if (this.cluster == "") return this.fail("cluster (the authorization service) is required");
    this.authority = o.getString("authority", this.cluster);
    this.pathPrefix = o.getString("path_prefix", "");
    if (this.pathPrefix != "" && !this.pathPrefix.startsWith("/")) return this.fail("path_prefix must start with /");
    if (this.pathPrefix.endsWith("/")) this.pathPrefix = this.pathPrefix.substring(0, this.pathPrefix.length - 1);
    const t = o.getInteger("timeout_ms", 200);
    if (t < 1 || t > 60000) return this.fail("timeout_ms must be within 1..60000");
    this.timeoutMs = <u32>t;
    this.failureModeAllow = o.getBool("failure_mode_allow", false);
    const s = o.getInteger("status_on_error", 403);
    if (s < 200 || s > 599) return this.fail("status_on_error must be an HTTP status");
    this.statusOnError = <u32>s;
    const req = this.names(o, "allowed_request_headers", this.requestHeaders);
    const up = this.names(o, "allowed_upstream_headers", this.upstreamHeaders);
    const client = this.names(o, "allowed_client_headers", this.clientHeaders);
    if (req === null || up === null || client === null) return this.fail("allowed_*_headers must be lists of header names");
    this.requestHeaders = req;
    this.upstreamHeaders = up;
    this.clientHeaders = client;
    this.sendClientAddress = o.getBool("send_client_address", true);
    this.allowed = new Counter("auth_external_allowed_total");
    this.denied = new Counter("auth_external_denied_total");
    this.errors = new Counter("auth_external_errors_total");
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new AuthzFilter(contextId, this);
  }
}

function bump(c: Counter | null): void {
  if (c !== null) c.increment();
}

class Verdict extends HttpCallback {
  constructor(readonly ctx: AuthzFilter) {
    super();
  }

  onResponse(response: HttpCallResponse): void {
    const ctx = this.ctx;
    const cfg = ctx.cfg;
    ctx.pending = false;
    const status = response.status();
    // No answer, or a 5xx (hosts report connect failures and timeouts as 503/504): the service failed.
    if (response.failed || status >= 500 || status < 200) {
      ctx.onError("authorization service failed (status " + status.toString() + ")");
      return;
    }
    if (status < 300) {
      const headers = ctx.requestHeaders;
      for (let i = 0; i < cfg.upstreamHeaders.length; i++) {
        const name = unchecked(cfg.upstreamHeaders[i]);
        const v = response.header(name);
        if (v !== null) headers.set(name, v);
        else headers.remove(name);
      }
      bump(cfg.allowed);
      ctx.resumeRequest();
      return;
    }
    bump(cfg.denied);
    const relayed = new Array<HeaderPair>();
    for (let i = 0; i < cfg.clientHeaders.length; i++) {
      const name = unchecked(cfg.clientHeaders[i]);
      const v = response.header(name);
      if (v !== null) relayed.push(new HeaderPair(name, v));
    }
    const ct = response.header("content-type");
    if (ct !== null && !cfg.clientHeaders.includes("content-type")) relayed.push(new HeaderPair("content-type", ct));
    ctx.sendLocalResponse(status, response.body(), relayed, "ext_authz_denied");
  }
}

class AuthzFilter extends HttpContext {
  pending: bool = false;

  constructor(id: u32, readonly cfg: AuthzRoot) {
    super(id, cfg);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const cfg = this.cfg;
    const headers = this.requestHeaders;
    // The headers the service may set are the service's alone.
    for (let i = 0; i < cfg.upstreamHeaders.length; i++) headers.remove(unchecked(cfg.upstreamHeaders[i]));
    const method = headers.get(":method");
    const path = headers.get(":path");
    const call: HeaderPair[] = [
      new HeaderPair(":method", method === null ? "GET" : method),
      new HeaderPair(":path", cfg.pathPrefix + (path === null ? "/" : path)),
      new HeaderPair(":authority", cfg.authority),
    ];
    const host = headers.get(":authority");
    if (host !== null) call.push(new HeaderPair("x-forwarded-host", host));
    for (let i = 0; i < cfg.requestHeaders.length; i++) {
      const name = unchecked(cfg.requestHeaders[i]);
      const v = headers.get(name);
      if (v !== null) call.push(new HeaderPair(name, v));
    }
    if (cfg.sendClientAddress) {
      const addr = getPropertyString(["source", "address"], "");
      if (addr != "") call.push(new HeaderPair("x-forwarded-for", hostOf(addr)));
    }
    const s = this.httpCall(cfg.cluster, call, null, null, cfg.timeoutMs, new Verdict(this));
    if (s != Status.Ok) {
      log(LogLevel.Error, "auth-external: cannot call " + cfg.cluster + ": status " + s.toString());
      return this.onError("cannot call the authorization service") ? Action.Continue : Action.Pause;
    }
    this.pending = true;
    return Action.Pause;
  }

  /** The check failed: let the request through (failure_mode_allow) or answer status_on_error. Returns true when it goes on. */
  onError(why: string): bool {
    const cfg = this.cfg;
    bump(cfg.errors);
    log(LogLevel.Warn, "auth-external: " + why + (cfg.failureModeAllow ? "; allowing (failure_mode_allow)" : "; denying"));
    if (cfg.failureModeAllow) {
      this.requestHeaders.set("x-weft-ext-authz-failure-mode-allowed", "true");
      this.resumeRequest();
      return true;
    }
    this.sendResponse(cfg.statusOnError, "authorization unavailable\n", [new HeaderPair("content-type", "text/plain")]);
    return false;
  }
}

/** The address part of "host:port" or "[v6]:port". */
function hostOf(addr: string): string {
  if (addr.startsWith("[")) {
    const end = addr.indexOf("]");
    return end > 0 ? addr.substring(1, end) : addr;
  }
  const colon = addr.lastIndexOf(":");
  return colon > 0 && addr.indexOf(":") == colon ? addr.substring(0, colon) : addr;
}

registerRootContext((id: u32): RootContext => new AuthzRoot(id), "");
