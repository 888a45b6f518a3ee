// Crypto a filter needs, in pure AssemblyScript: SHA-256, HMAC-SHA256, RSA PKCS#1 v1.5 verification, base64url, timing-safe compare.
export { Sha256, sha256, sha256String, SHA256_BLOCK, SHA256_SIZE } from "./crypto/sha256";
export { HmacSha256, hmacSha256 } from "./crypto/hmac";
export { RsaPublicKey, RSA_MAX_BITS, RSA_MIN_BITS } from "./crypto/rsa";
export { base64Decode, base64UrlDecode, base64UrlEncode, fromHex, toHex } from "./crypto/base64";
export { timingSafeEqual } from "./crypto/timing-safe";
