// Verifies a compact JWS/JWT (RFC 7515, 7519): structure, algorithm, signature, then exp/nbf/iss/aud.
import { JsonKind, JsonObject, JsonValue, parseJsonBytes } from "@weft/sdk/assembly";
import { base64UrlDecode, sha256, timingSafeEqual } from "@weft/sdk/assembly/crypto";
import { JwtConfig } from "./config";
import { JwtKey } from "./keys";

/** Outcome of a verification: the claims, or why the token was refused (RFC 6750 error_description). */
export class Verdict {
  constructor(
    readonly claims: JsonObject | null,
    readonly error: string,
    /** The payload segment (base64url) as received, for forward_payload_header. */
    readonly payload: string = "",
  ) {}
  get ok(): bool {
    return this.claims !== null;
  }
}

function refuse(why: string): Verdict {
  return new Verdict(null, why);
}

function isNumber(v: JsonValue | null): bool {
  return v !== null && v.kind == JsonKind.Number;
}

/** True when `aud` (a string or an array of strings) names one of `audiences`. */
function audienceMatches(aud: JsonValue | null, audiences: Array<string>): bool {
  if (aud === null) return false;
  if (aud.kind == JsonKind.String) return audiences.includes(aud.asString());
  const a = aud.asArray();
  if (a === null) return false;
  for (let i = 0; i < a.length; i++) {
    const v = a.at(i)!;
    if (v.kind == JsonKind.String && audiences.includes(v.asString())) return true;
  }
  return false;
}

function signatureValid(key: JwtKey, signingInput: ArrayBuffer, signature: ArrayBuffer): bool {
  const hmac = key.hmac;
  if (hmac !== null) return timingSafeEqual(hmac.sign(signingInput), signature);
  const rsa = key.rsa;
  return rsa !== null && rsa.verifyPkcs1Sha256Digest(sha256(signingInput), signature);
}

/**
 * Verifies `token` against the configured keys at time `now` (seconds since the epoch). Only
 * HS256 and RS256 are accepted, each only with a key of its own type; `kid` selects the key
 * when the header has one, otherwise every key of the algorithm is tried.
 */
export function verifyToken(token: string, cfg: JwtConfig, now: f64): Verdict {
  if (token.length > cfg.maxTokenBytes) return refuse("token too large");
  const dot1 = token.indexOf(".");
  const dot2 = dot1 < 0 ? -1 : token.indexOf(".", dot1 + 1);
  if (dot1 <= 0 || dot2 < 0 || token.indexOf(".", dot2 + 1) >= 0) return refuse("malformed token (not three base64url segments)");
  const headerBytes = base64UrlDecode(token.substring(0, dot1));
  const payloadText = token.substring(dot1 + 1, dot2);
  const payloadBytes = base64UrlDecode(payloadText);
  const signature = base64UrlDecode(token.substring(dot2 + 1));
  if (headerBytes === null || payloadBytes === null || signature === null) return refuse("malformed token (invalid base64url)");

  const header = parseJsonBytes(headerBytes);
  const h = header.ok ? header.value!.asObject() : null;
  if (h === null) return refuse("malformed token header");
  const alg = h.getString("alg");
  if (alg != "HS256" && alg != "RS256") return refuse("unsupported alg");
  if (h.has("crit")) return refuse("unsupported critical header parameters");
  const kid = h.get("kid");
  if (kid !== null && kid.kind != JsonKind.String) return refuse("malformed token header (kid)");

  // The signature covers the ASCII of the first two segments, exactly as received.
  const signingInput = String.UTF8.encode(token.substring(0, dot2));
  let verified = false;
  let candidates = 0;
  for (let i = 0; i < cfg.keys.length && !verified; i++) {
    const key = unchecked(cfg.keys[i]);
    if (key.alg != alg) continue;
    if (kid !== null && key.kid != "" && key.kid != kid.asString()) continue;
    candidates++;
    verified = signatureValid(key, signingInput, signature);
  }
  if (candidates == 0) return refuse(kid !== null ? "unknown kid" : "no key for alg");
  if (!verified) return refuse("invalid signature");

  const payload = parseJsonBytes(payloadBytes);
  const claims = payload.ok ? payload.value!.asObject() : null;
  if (claims === null) return refuse("malformed token payload");

  const exp = claims.get("exp");
  if (exp !== null) {
    if (!isNumber(exp)) return refuse("malformed exp");
    if (now > exp.asNumber() + cfg.clockSkewSeconds) return refuse("token expired");
  } else if (cfg.requireExp) {
    return refuse("token has no exp");
  }
  const nbf = claims.get("nbf");
  if (nbf !== null) {
    if (!isNumber(nbf)) return refuse("malformed nbf");
    if (now + cfg.clockSkewSeconds < nbf.asNumber()) return refuse("token not yet valid");
  }
  if (cfg.issuers.length > 0) {
    const iss = claims.get("iss");
    if (iss === null || iss.kind != JsonKind.String || !cfg.issuers.includes(iss.asString())) return refuse("issuer not allowed");
  }
  if (cfg.audiences.length > 0 && !audienceMatches(claims.get("aud"), cfg.audiences)) return refuse("audience not allowed");
  return new Verdict(claims, "", payloadText);
}
