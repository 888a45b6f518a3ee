// api-key: lets a request through when it carries one of the configured API keys. Keys are stored as
// SHA-256 hashes and compared in constant time; the matching key's name and metadata become request
// headers. See ../README.md for the configuration.
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, HeaderPair, HttpContext, JsonKind, LogLevel, RootContext, log, registerRootContext,
} from "@weft/sdk/assembly";
import { fromHex, sha256String, timingSafeEqual } from "@weft/sdk/assembly/crypto";

class ApiKey {
  constructor(
    readonly name: string,
    readonly hash: ArrayBuffer,
    /** Extra request headers (name, value) for this key. */
    readonly metadata: Array<HeaderPair>,
  ) {}
}

function validHeaderName(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f)) return false;
  }
  return true;
}

function validHeaderValue(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c != 0x09) || c == 0x7f) return false;
  }
  return true;
}

class KeyRoot extends RootContext {
  keys: Array<ApiKey> = [];
  header: string = "x-api-key";
  queryParam: string = "";
  consumerHeader: string = "x-api-consumer";
  stripKey: bool = true;
  realm: string = "weft";
  /** Every header a key may set: removed from incoming requests so clients cannot supply them. */
  managed: Array<string> = [];
  allowed: Counter | null = null;
  denied: Counter | null = null;

  private fail(message: string): bool {
    log(LogLevel.Error, "api-key: " + message);
    return false;
  }

  onConfigure(size: usize): bool {
    const parsed = this.pluginConfigurationJson();
    if (!parsed.ok) return this.fail("configuration is not JSON: " + parsed.error);
    const o = parsed.object();
    this.header = o.getString("header", "x-api-key").toLowerCase();
    this.queryParam = o.getString("query_param", "");
    this.consumerHeader = o.getString("consumer_header", "x-api-consumer").toLowerCase();
    this.stripKey = o.getBool("strip_key", true);
    this.realm = o.getString("realm", "weft");
    if (!validHeaderName(this.header) && this.queryParam == "") return this.fail("header must be a header name (or set query_param)");
    if (this.consumerHeader != "" && !validHeaderName(this.consumerHeader)) return this.fail("consumer_header must be a header name");
    if (!validHeaderValue(this.realm) || this.realm.includes("\"")) return this.fail("realm must be printable without quotes");
    const list = o.getArray("keys");
    if (list === null || list.length == 0) return this.fail("keys: at least one key is required");
    const keys = new Array<ApiKey>();
    const managed = new Array<string>();
    if (this.consumerHeader != "") managed.push(this.consumerHeader);
    for (let i = 0; i < list.length; i++) {
      const k = list.at(i)!.asObject();
      const at = "keys[" + i.toString() + "]";
      if (k === null) return this.fail(at + " must be an object");
      const name = k.getString("name");
      if (name == "" || !validHeaderValue(name)) return this.fail(at + ".name is required (printable text)");
      const hash = fromHex(k.getString("sha256"));
      if (hash === null || hash.byteLength != 32) return this.fail(at + ".sha256 must be the hex SHA-256 of the key (64 hex digits)");
      const metadata = new Array<HeaderPair>();
      const md = k.getObject("metadata");
      if (md !== null) {
        for (let j = 0; j < md.keys.length; j++) {
          const h = unchecked(md.keys[j]).toLowerCase();
          const v = md.get(unchecked(md.keys[j]))!;
          if (!validHeaderName(h) || v.kind != JsonKind.String || !validHeaderValue(v.asString())) {
            return this.fail(at + ".metadata maps header names to string values");
          }
          metadata.push(new HeaderPair(h, v.asString()));
          if (!managed.includes(h)) managed.push(h);
        }
      }
      keys.push(new ApiKey(name, hash, metadata));
    }
    this.keys = keys;
    this.managed = managed;
    this.allowed = new Counter("api_key_allowed_total");
    this.denied = new Counter("api_key_denied_total");
    return true;
  }

  /** The key whose hash matches `presented`: every key is compared, in constant time, whatever matches. */
  find(presented: string): ApiKey | null {
    const hash = sha256String(presented);
    let found: ApiKey | null = null;
    for (let i = 0; i < this.keys.length; i++) {
      const k = unchecked(this.keys[i]);
      if (timingSafeEqual(k.hash, hash) && found === null) found = k;
    }
    return found;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new KeyFilter(contextId, this);
  }
}

/** The value of query parameter `name` in `path` (not percent-decoded), or null. */
function queryValue(path: string, name: string): string | null {
  const q = path.indexOf("?");
  if (q < 0) return null;
  const parts = path.substring(q + 1).split("&");
  for (let i = 0; i < parts.length; i++) {
    const p = unchecked(parts[i]);
    const eq = p.indexOf("=");
    if (eq > 0 && p.substring(0, eq) == name) return p.substring(eq + 1);
  }
  return null;
}

/** `path` without query parameter `name`. */
function withoutQuery(path: string, name: string): string {
  const q = path.indexOf("?");
  if (q < 0) return path;
  const kept = new Array<string>();
  const parts = path.substring(q + 1).split("&");
  for (let i = 0; i < parts.length; i++) {
    const p = unchecked(parts[i]);
    const eq = p.indexOf("=");
    if ((eq < 0 ? p : p.substring(0, eq)) != name) kept.push(p);
  }
  return kept.length == 0 ? path.substring(0, q) : path.substring(0, q + 1) + kept.join("&");
}

class KeyFilter extends HttpContext {
  constructor(id: u32, readonly cfg: KeyRoot) {
    super(id, cfg);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const cfg = this.cfg;
    const headers = this.requestHeaders;
    for (let i = 0; i < cfg.managed.length; i++) headers.remove(unchecked(cfg.managed[i]));
    let presented = headers.get(cfg.header);
    let fromQuery = false;
    if ((presented === null || presented.length == 0) && cfg.queryParam != "") {
      const path = headers.get(":path");
      presented = path === null ? null : queryValue(path, cfg.queryParam);
      fromQuery = true;
    }
    if (presented === null || presented.length == 0) return this.deny("missing");
    const key = cfg.find(presented);
    if (key === null) return this.deny("invalid");
    if (cfg.consumerHeader != "") headers.set(cfg.consumerHeader, key.name);
    for (let i = 0; i < key.metadata.length; i++) {
      const m = unchecked(key.metadata[i]);
      headers.set(m.name, m.value);
    }
    if (cfg.stripKey) {
      if (fromQuery) {
        const path = headers.get(":path");
        if (path !== null) headers.set(":path", withoutQuery(path, cfg.queryParam));
      } else {
        headers.remove(cfg.header);
      }
    }
    const c = cfg.allowed;
    if (c !== null) c.increment();
    return Action.Continue;
  }

  private deny(why: string): Action {
    const c = this.cfg.denied;
    if (c !== null) c.increment();
    this.sendLocalResponse(401, String.UTF8.encode(why == "missing" ? "API key required\n" : "invalid API key\n"), [
      new HeaderPair("www-authenticate", "ApiKey realm=\"" + this.cfg.realm + "\""),
      new HeaderPair("content-type", "text/plain"),
    ], "api_key_" + why);
    return Action.Pause;
  }
}

registerRootContext((id: u32): RootContext => new KeyRoot(id), "");
