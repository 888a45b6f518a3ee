// Verification keys from a JWKS (RFC 7517): "oct" keys verify HS256, "RSA" keys verify RS256.
import { JsonObject, LogLevel, log } from "@weft/sdk/assembly";
import { HmacSha256, RsaPublicKey, base64UrlDecode } from "@weft/sdk/assembly/crypto";

/** A key and the one algorithm it may verify (so a token cannot pick HS256 with an RSA key). */
export class JwtKey {
  constructor(
    readonly kid: string,
    readonly alg: string,
    readonly hmac: HmacSha256 | null,
    readonly rsa: RsaPublicKey | null,
  ) {}
}

/** Shortest HS256 secret accepted (RFC 7518 section 3.2: at least the hash size). */
const MIN_HMAC_BYTES = 32;

/**
 * The usable keys of a JWKS object (`{"keys": [...]}`). Keys of other types or algorithms (EC,
 * RS384…), keys meant only for encryption ("use": "enc") and malformed keys are skipped with a
 * warning; the caller rejects a JWKS with no usable key.
 */
export function parseJwks(jwks: JsonObject): Array<JwtKey> {
  const out = new Array<JwtKey>();
  const list = jwks.getArray("keys");
  if (list === null) return out;
  for (let i = 0; i < list.length; i++) {
    const o = list.at(i)!.asObject();
    const at = "auth-jwt: jwks key " + i.toString();
    if (o === null) {
      log(LogLevel.Warn, at + " is not an object; skipped");
      continue;
    }
    const kty = o.getString("kty");
    const alg = o.getString("alg");
    const kid = o.getString("kid");
    if (o.getString("use", "sig") != "sig") {
      log(LogLevel.Warn, at + " is not a signing key (use); skipped");
      continue;
    }
    if (kty == "oct" && (alg == "" || alg == "HS256")) {
      const k = base64UrlDecode(o.getString("k"));
      if (k === null || k.byteLength < MIN_HMAC_BYTES) {
        log(LogLevel.Warn, at + ": k must be base64url of at least 32 bytes; skipped");
        continue;
      }
      out.push(new JwtKey(kid, "HS256", new HmacSha256(k), null));
    } else if (kty == "RSA" && (alg == "" || alg == "RS256")) {
      const key = RsaPublicKey.fromJwk(o.getString("n"), o.getString("e"));
      if (key === null) {
        log(LogLevel.Warn, at + ": n and e are not a usable RSA public key (2048 to 8192 bits, odd exponent >= 3); skipped");
        continue;
      }
      out.push(new JwtKey(kid, "RS256", null, key));
    } else {
      log(LogLevel.Warn, at + " (kty " + kty + ", alg " + alg + ") is not an HS256 or RS256 key; skipped");
    }
  }
  return out;
}
