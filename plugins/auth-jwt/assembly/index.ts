// auth-jwt: verifies HS256 and RS256 JSON Web Tokens from a JWKS in the configuration; checks exp,
// nbf (with clock skew), iss and aud; forwards chosen claims as request headers; answers 401 with
// WWW-Authenticate (RFC 6750) otherwise. See ../README.md for the configuration.
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, HeaderPair, HttpContext, LogLevel, RootContext, log, logEnabled, nowNanos, registerRootContext,
} from "@weft/sdk/assembly";
import { claimAt, headerValue } from "./claims";
import { JwtConfig, parseConfig } from "./config";
import { verifyToken } from "./verify";

class JwtRoot extends RootContext {
  config: JwtConfig = new JwtConfig();
  allowed: Counter | null = null;
  missing: Counter | null = null;
  denied: Counter | null = null;

  onConfigure(size: usize): bool {
    const parsed = this.pluginConfigurationJson();
    if (!parsed.ok) {
      log(LogLevel.Error, "auth-jwt: configuration is not JSON: " + parsed.error);
      return false;
    }
    const cfg = parseConfig(parsed.object());
    if (cfg === null) return false;
    this.config = cfg;
    this.allowed = new Counter("auth_jwt_allowed_total");
    this.missing = new Counter("auth_jwt_missing_total");
    this.denied = new Counter("auth_jwt_denied_total");
    log(LogLevel.Info, "auth-jwt: " + cfg.keys.length.toString() + " verification keys");
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new JwtFilter(contextId, this);
  }
}

function bump(c: Counter | null): void {
  if (c !== null) c.increment();
}

class JwtFilter extends HttpContext {
  constructor(id: u32, readonly jwt: JwtRoot) {
    super(id, jwt);
  }

  private unauthorized(error: string): Action {
    const cfg = this.jwt.config;
    let challenge = "Bearer realm=\"" + cfg.realm + "\"";
    if (error != "") challenge += ", error=\"invalid_token\", error_description=\"" + error + "\"";
    const body = error == "" ? "authentication required\n" : "invalid token: " + error + "\n";
    this.sendLocalResponse(401, String.UTF8.encode(body), [
      new HeaderPair("www-authenticate", challenge),
      new HeaderPair("content-type", "text/plain"),
    ], error == "" ? "jwt_missing" : "jwt_invalid");
    return Action.Pause;
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const cfg = this.jwt.config;
    const headers = this.requestHeaders;
    // Whatever the client sent under the names this filter fills in is never trusted.
    for (let i = 0; i < cfg.claimHeaders.length; i++) headers.remove(unchecked(cfg.claimHeaders[i]).header);
    if (cfg.payloadHeader != "") headers.remove(cfg.payloadHeader);

    const raw = headers.get(cfg.fromHeader);
    if (raw === null || raw.length == 0) {
      if (cfg.allowMissing) return Action.Continue;
      bump(this.jwt.missing);
      return this.unauthorized("");
    }
    if (raw.length <= cfg.prefix.length || raw.substring(0, cfg.prefix.length).toLowerCase() != cfg.prefix) {
      bump(this.jwt.denied);
      return this.unauthorized("expected a " + cfg.prefix.trim() + " token");
    }
    const token = raw.substring(cfg.prefix.length).trim();
    const now = <f64>nowNanos() / 1e9;
    const verdict = verifyToken(token, cfg, now);
    if (!verdict.ok) {
      bump(this.jwt.denied);
      if (logEnabled(LogLevel.Debug)) log(LogLevel.Debug, "auth-jwt: refused: " + verdict.error);
      return this.unauthorized(verdict.error);
    }
    const claims = verdict.claims!;
    for (let i = 0; i < cfg.claimHeaders.length; i++) {
      const ch = unchecked(cfg.claimHeaders[i]);
      const v = claimAt(claims, ch.path);
      if (v === null) continue;
      const value = headerValue(v);
      if (value !== null) headers.set(ch.header, value);
      else if (logEnabled(LogLevel.Debug)) log(LogLevel.Debug, "auth-jwt: claim for " + ch.header + " is not a safe header value; not forwarded");
    }
    if (cfg.payloadHeader != "") headers.set(cfg.payloadHeader, verdict.payload);
    if (!cfg.forwardToken) headers.remove(cfg.fromHeader);
    bump(this.jwt.allowed);
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new JwtRoot(id), "");
