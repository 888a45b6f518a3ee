// HMAC-SHA256 (RFC 2104, FIPS 198-1).
import { Sha256, SHA256_BLOCK, sha256 } from "./sha256";

/**
 * An HMAC-SHA256 key, prepared once (the padded inner and outer keys) and reused per message.
 *
 * @example
 * const mac = new HmacSha256(secret);              // once, e.g. in onConfigure
 * const tag = mac.sign(String.UTF8.encode(data));  // per request
 */
export class HmacSha256 {
  private readonly inner: ArrayBuffer = new ArrayBuffer(SHA256_BLOCK);
  private readonly outer: ArrayBuffer = new ArrayBuffer(SHA256_BLOCK);

  constructor(key: ArrayBuffer) {
    const k = key.byteLength > SHA256_BLOCK ? sha256(key) : key;
    const kp = changetype<usize>(k);
    const ip = changetype<usize>(this.inner);
    const op = changetype<usize>(this.outer);
    for (let i = 0; i < SHA256_BLOCK; i++) {
      const b: u8 = i < k.byteLength ? load<u8>(kp + <usize>i) : 0;
      store<u8>(ip + <usize>i, b ^ 0x36);
      store<u8>(op + <usize>i, b ^ 0x5c);
    }
  }

  /** The 32-byte tag of `len` bytes at `ptr`. */
  signRaw(ptr: usize, len: usize): ArrayBuffer {
    const innerHash = new Sha256().update(this.inner).updateRaw(ptr, len).digest();
    return new Sha256().update(this.outer).update(innerHash).digest();
  }

  /** The 32-byte tag of `message`. */
  sign(message: ArrayBuffer): ArrayBuffer {
    return this.signRaw(changetype<usize>(message), <usize>message.byteLength);
  }
}

/**
 * HMAC-SHA256 of `message` under `key` (32 bytes).
 *
 * @example
 * const tag = hmacSha256(String.UTF8.encode("secret"), String.UTF8.encode("payload"));
 */
export function hmacSha256(key: ArrayBuffer, message: ArrayBuffer): ArrayBuffer {
  return new HmacSha256(key).sign(message);
}
