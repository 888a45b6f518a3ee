// RSA public keys and RSASSA-PKCS1-v1_5 signature verification with SHA-256 (RFC 8017), as JWS RS256 uses.
import { compare, limbsFromBytes, limbsToBytes, Montgomery } from "./bignum";
import { sha256 } from "./sha256";
import { base64UrlDecode } from "./base64";

/** DER of DigestInfo for SHA-256, before the 32-byte hash (RFC 8017 section 9.2, note 1). */
// @ts-ignore: decorator
@lazy const SHA256_DIGEST_INFO: StaticArray<u8> = [
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
];

/** Smallest and largest moduli accepted, in bits (RFC 7518 requires 2048 for RS256). */
export const RSA_MIN_BITS: i32 = 2048;
export const RSA_MAX_BITS: i32 = 8192;

function stripLeadingZeros(b: ArrayBuffer): ArrayBuffer {
  const p = changetype<usize>(b);
  let i = 0;
  while (i < b.byteLength && load<u8>(p + <usize>i) == 0) i++;
  return i == 0 ? b : b.slice(i);
}

/**
 * An RSA public key (modulus and exponent), ready to verify signatures: the Montgomery constants
 * are computed once, when the key is made.
 *
 * @example
 * const key = RsaPublicKey.fromJwk(jwk.getString("n"), jwk.getString("e"));
 * if (key !== null && key.verifyPkcs1Sha256(signedBytes, signature)) { ... }
 */
export class RsaPublicKey {
  /** Modulus length in bytes (a signature has exactly this many). */
  readonly size: i32;
  readonly bits: i32;
  private readonly mont: Montgomery;
  private readonly exponent: ArrayBuffer;

  private constructor(modulus: ArrayBuffer, exponent: ArrayBuffer) {
    this.size = modulus.byteLength;
    const top = <u32>load<u8>(changetype<usize>(modulus));
    this.bits = (modulus.byteLength - 1) * 8 + (32 - <i32>clz<u32>(top));
    this.mont = new Montgomery(limbsFromBytes(modulus, (modulus.byteLength + 3) >> 2)!);
    this.exponent = exponent;
  }

  /**
   * A key from big-endian modulus and exponent bytes, or null when it is not a usable RSA public
   * key: an even modulus, one outside RSA_MIN_BITS..RSA_MAX_BITS, or an exponent < 3 or even.
   */
  static fromBytes(modulus: ArrayBuffer, exponent: ArrayBuffer): RsaPublicKey | null {
    const n = stripLeadingZeros(modulus);
    const e = stripLeadingZeros(exponent);
    if (n.byteLength == 0 || e.byteLength == 0 || e.byteLength > n.byteLength) return null;
    if ((load<u8>(changetype<usize>(n) + <usize>(n.byteLength - 1)) & 1) == 0) return null;
    const eLast = load<u8>(changetype<usize>(e) + <usize>(e.byteLength - 1));
    if ((eLast & 1) == 0 || (e.byteLength == 1 && eLast < 3)) return null;
    const bits = (n.byteLength - 1) * 8 + (32 - <i32>clz<u32>(<u32>load<u8>(changetype<usize>(n))));
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) return null;
    return new RsaPublicKey(n, e);
  }

  /** A key from a JWK's base64url `n` and `e`, or null. */
  static fromJwk(n: string, e: string): RsaPublicKey | null {
    const nb = base64UrlDecode(n);
    const eb = base64UrlDecode(e);
    if (nb === null || eb === null) return null;
    return RsaPublicKey.fromBytes(nb, eb);
  }

  /** True when `signature` is this key's RSASSA-PKCS1-v1_5 signature of the SHA-256 `digest`. */
  verifyPkcs1Sha256Digest(digest: ArrayBuffer, signature: ArrayBuffer): bool {
    const k = this.size;
    if (digest.byteLength != 32 || signature.byteLength != k || k < 11 + 19 + 32) return false;
    const s = limbsFromBytes(signature, this.mont.k);
    if (s === null || compare(s, this.mont.n) >= 0) return false;
    const em = limbsToBytes(this.mont.pow(s, this.exponent), k);
    // EM = 0x00 || 0x01 || PS (0xff…, at least 8) || 0x00 || DigestInfo || H; compare every byte.
    const p = changetype<usize>(em);
    const tLen = 19 + 32;
    const psEnd = k - tLen - 1;
    let diff: u32 = <u32>load<u8>(p) | (<u32>load<u8>(p + 1) ^ 1);
    for (let i = 2; i < psEnd; i++) diff |= <u32>load<u8>(p + <usize>i) ^ 0xff;
    diff |= <u32>load<u8>(p + <usize>psEnd);
    for (let i = 0; i < 19; i++) diff |= <u32>load<u8>(p + <usize>(psEnd + 1 + i)) ^ <u32>unchecked(SHA256_DIGEST_INFO[i]);
    const d = changetype<usize>(digest);
    for (let i = 0; i < 32; i++) diff |= <u32>load<u8>(p + <usize>(k - 32 + i)) ^ <u32>load<u8>(d + <usize>i);
    return diff == 0;
  }

  /** True when `signature` is this key's RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature of `message`. */
  verifyPkcs1Sha256(message: ArrayBuffer, signature: ArrayBuffer): bool {
    return this.verifyPkcs1Sha256Digest(sha256(message), signature);
  }
}
