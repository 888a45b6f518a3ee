// auth-callout: asks an authorization service before letting a request through (ext-authz style).
// The request pauses; the filter sends GET <path> with the caller's Authorization header to the
// cluster `cluster`; 2xx resumes it (copying `x-auth-user` from the answer), a 5xx or a failed call
// is answered with 503 (or let through when "fail_open" is true), anything else with 403.
// Configuration (JSON): {"cluster": "auth", "path": "/check", "timeout_ms": 500, "fail_open": false}
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, HeaderPair, HttpCallResponse, HttpCallback, HttpContext, LogLevel, RootContext, Status, log,
  registerRootContext,
} from "@weft/sdk/assembly";

class AuthRoot extends RootContext {
  cluster: string = "auth";
  path: string = "/check";
  timeoutMs: u32 = 500;
  failOpen: bool = false;
  allowed: Counter | null = null;
  denied: Counter | null = null;

  onConfigure(size: usize): bool {
    const cfg = this.pluginConfigurationJson();
    if (!cfg.ok) {
      log(LogLevel.Error, "auth-callout: configuration is not JSON: " + cfg.error);
      return false;
    }
    const o = cfg.object();
    this.cluster = o.getString("cluster", "auth");
    this.path = o.getString("path", "/check");
    const t = o.getInteger("timeout_ms", 500);
    if (t <= 0 || t > 60000) {
      log(LogLevel.Error, "auth-callout: timeout_ms must be within 1..60000");
      return false;
    }
    this.timeoutMs = <u32>t;
    this.failOpen = o.getBool("fail_open", false);
    this.allowed = new Counter("auth_callout_allowed_total");
    this.denied = new Counter("auth_callout_denied_total");
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new Auth(contextId, this);
  }
}

class Verdict extends HttpCallback {
  constructor(readonly ctx: Auth) {
    super();
  }

  onResponse(response: HttpCallResponse): void {
    const cfg = this.ctx.config;
    // No answer, or a 5xx (hosts report a connect failure or timeout as 503/504): the service is unavailable.
    if (response.failed || response.status() >= 500) {
      log(LogLevel.Warn, "auth-callout: call to " + cfg.cluster + " failed (status " + response.status().toString() + ")");
      if (cfg.failOpen) this.ctx.resumeRequest();
      else this.ctx.sendResponse(503, "authorization unavailable\n");
      return;
    }
    const status = response.status();
    if (status >= 200 && status < 300) {
      const user = response.header("x-auth-user");
      if (user !== null) this.ctx.requestHeaders.set("x-auth-user", user);
      const c = cfg.allowed;
      if (c !== null) c.increment();
      this.ctx.resumeRequest();
    } else {
      const c = cfg.denied;
      if (c !== null) c.increment();
      this.ctx.sendResponse(403, "forbidden\n", [new HeaderPair("content-type", "text/plain")]);
    }
  }
}

class Auth extends HttpContext {
  constructor(id: u32, readonly config: AuthRoot) {
    super(id, config);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const headers: HeaderPair[] = [
      new HeaderPair(":method", "GET"),
      new HeaderPair(":path", this.config.path),
      new HeaderPair(":authority", this.config.cluster),
    ];
    const authz = this.requestHeaders.get("authorization");
    if (authz !== null) headers.push(new HeaderPair("authorization", authz));
    const s = this.httpCall(this.config.cluster, headers, null, null, this.config.timeoutMs, new Verdict(this));
    if (s == Status.Ok) return Action.Pause;
    log(LogLevel.Error, "auth-callout: cannot call " + this.config.cluster + ": status " + s.toString());
    if (this.config.failOpen) return Action.Continue;
    this.sendResponse(503, "authorization unavailable\n");
    return Action.Pause;
  }
}

registerRootContext((id: u32): RootContext => new AuthRoot(id), "auth_callout");
