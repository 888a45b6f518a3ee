// The plugin's configuration, parsed and checked once in onConfigure.
import { JsonKind, JsonObject, JsonValue, LogLevel, log, parseJson } from "@weft/sdk/assembly";
import { JwtKey, parseJwks } from "./keys";

/** A claim (dot path into the payload) forwarded as a request header. */
export class ClaimHeader {
  constructor(readonly path: Array<string>, readonly header: string) {}
}

export class JwtConfig {
  keys: Array<JwtKey> = [];
  issuers: Array<string> = [];
  audiences: Array<string> = [];
  clockSkewSeconds: f64 = 60;
  requireExp: bool = true;
  allowMissing: bool = false;
  fromHeader: string = "authorization";
  prefix: string = "bearer ";
  forwardToken: bool = false;
  payloadHeader: string = "";
  realm: string = "weft";
  claimHeaders: Array<ClaimHeader> = [];
  maxTokenBytes: i32 = 8192;
}

function fail(message: string): JwtConfig | null {
  log(LogLevel.Error, "auth-jwt: " + message);
  return null;
}

/** One string or a list of strings (empty when absent); null when it is neither. */
function stringList(v: JsonValue | null): Array<string> | null {
  const out = new Array<string>();
  if (v === null) return out;
  if (v.kind == JsonKind.String) {
    out.push(v.asString());
    return out;
  }
  const a = v.asArray();
  if (a === null) return null;
  for (let i = 0; i < a.length; i++) {
    const item = a.at(i)!;
    if (item.kind != JsonKind.String) return null;
    out.push(item.asString());
  }
  return out;
}

/** A header name as proxies store it, or "" when it is not a valid field name. */
function headerName(s: string): string {
  if (s.length == 0) return "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f || c == 0x2e;
    if (!ok) return "";
  }
  return s.toLowerCase();
}

/** Parses the configuration; logs what is wrong and returns null when it is unusable. */
export function parseConfig(o: JsonObject): JwtConfig | null {
  const c = new JwtConfig();
  let jwks = o.getObject("jwks");
  if (jwks === null) {
    // The JWKS may also be given as its JSON text (as identity providers serve it).
    const text = o.getString("jwks");
    if (text == "") return fail("jwks (a JWKS object, or its JSON text) is required");
    const parsed = parseJson(text);
    if (!parsed.ok) return fail("jwks is not JSON: " + parsed.error);
    jwks = parsed.value!.asObject();
    if (jwks === null) return fail("jwks must be an object with a keys array");
  }
  c.keys = parseJwks(jwks);
  if (c.keys.length == 0) return fail("jwks has no usable HS256 or RS256 key");

  const issuers = stringList(o.get("issuer"));
  if (issuers === null) return fail("issuer must be a string or a list of strings");
  c.issuers = issuers;
  const audiences = stringList(o.get("audiences"));
  if (audiences === null) return fail("audiences must be a string or a list of strings");
  c.audiences = audiences;

  c.clockSkewSeconds = o.getNumber("clock_skew_seconds", 60);
  if (!(c.clockSkewSeconds >= 0 && c.clockSkewSeconds <= 3600)) return fail("clock_skew_seconds must be within 0..3600");
  c.requireExp = o.getBool("require_exp", true);
  c.allowMissing = o.getBool("allow_missing", false);
  c.forwardToken = o.getBool("forward_token", false);
  c.realm = o.getString("realm", "weft");
  for (let i = 0; i < c.realm.length; i++) {
    const ch = c.realm.charCodeAt(i);
    if (ch < 0x20 || ch == 0x22 || ch == 0x5c || ch > 0x7e) return fail("realm must be printable ASCII without quotes or backslashes");
  }
  c.fromHeader = headerName(o.getString("from_header", "authorization"));
  if (c.fromHeader == "") return fail("from_header must be a header name");
  c.prefix = o.getString("prefix", "Bearer ").toLowerCase();
  const payloadHeader = o.getString("forward_payload_header", "");
  if (payloadHeader != "") {
    c.payloadHeader = headerName(payloadHeader);
    if (c.payloadHeader == "") return fail("forward_payload_header must be a header name");
  }
  const max = o.getInteger("max_token_bytes", 8192);
  if (max < 64 || max > 65536) return fail("max_token_bytes must be within 64..65536");
  c.maxTokenBytes = <i32>max;

  const claims = o.getObject("forward_claims");
  if (claims !== null) {
    for (let i = 0; i < claims.keys.length; i++) {
      const claim = unchecked(claims.keys[i]);
      const header = headerName(claims.getString(claim));
      if (header == "") return fail("forward_claims." + claim + " must name a header");
      c.claimHeaders.push(new ClaimHeader(claim.split("."), header));
    }
  } else if (o.has("forward_claims")) {
    return fail("forward_claims must map claims to header names");
  }
  return c;
}
