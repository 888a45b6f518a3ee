// Test-only module: runs the SDK's crypto on bytes the test puts in memory; results go to proxy_log
// as hex. Each input is (ptr, len) allocated by the test through the module's allocator.
export * from "@weft/sdk/assembly/exports";
import { LogLevel, RootContext, log, registerRootContext } from "@weft/sdk/assembly";
import {
  HmacSha256, RsaPublicKey, Sha256, base64Decode, base64UrlDecode, base64UrlEncode, sha256, timingSafeEqual, toHex,
} from "@weft/sdk/assembly/crypto";
import { enterCallback, leaveCallback } from "@weft/sdk/assembly/effective";

registerRootContext((id: u32): RootContext => new RootContext(id), "");

function take(ptr: usize, len: usize): ArrayBuffer {
  const b = new ArrayBuffer(<i32>len);
  memory.copy(changetype<usize>(b), ptr, len);
  heap.free(ptr);
  return b;
}

function say(s: string): void {
  log(LogLevel.Info, s);
}

export function crypto_sha256(ptr: usize, len: usize): void {
  const saved = enterCallback(0);
  say(toHex(sha256(take(ptr, len))));
  leaveCallback(saved);
}

/** SHA-256 fed in pieces of `chunk` bytes (exercises the incremental buffer). */
export function crypto_sha256_chunked(ptr: usize, len: usize, chunk: usize): void {
  const saved = enterCallback(0);
  const data = take(ptr, len);
  const h = new Sha256();
  for (let at: usize = 0; at < len; at += chunk) h.updateRaw(changetype<usize>(data) + at, min<usize>(chunk, len - at));
  say(toHex(h.digest()));
  leaveCallback(saved);
}

export function crypto_hmac(keyPtr: usize, keyLen: usize, ptr: usize, len: usize): void {
  const saved = enterCallback(0);
  say(toHex(new HmacSha256(take(keyPtr, keyLen)).sign(take(ptr, len))));
  leaveCallback(saved);
}

/** 1: valid, 0: invalid signature, 2: unusable key. */
export function crypto_rsa_verify(nPtr: usize, nLen: usize, ePtr: usize, eLen: usize, mPtr: usize, mLen: usize, sPtr: usize, sLen: usize): i32 {
  const saved = enterCallback(0);
  const key = RsaPublicKey.fromBytes(take(nPtr, nLen), take(ePtr, eLen));
  const m = take(mPtr, mLen);
  const s = take(sPtr, sLen);
  const r = key === null ? 2 : key.verifyPkcs1Sha256(m, s) ? 1 : 0;
  leaveCallback(saved);
  return r;
}

/** Decodes text as base64url (url=1) or base64; logs hex or "null"; then the base64url re-encoding. */
export function crypto_base64(ptr: usize, len: usize, url: i32): void {
  const saved = enterCallback(0);
  const text = String.UTF8.decode(take(ptr, len));
  const b = url != 0 ? base64UrlDecode(text) : base64Decode(text);
  say(b === null ? "null" : toHex(b) + " " + base64UrlEncode(b));
  leaveCallback(saved);
}

export function crypto_equal(aPtr: usize, aLen: usize, bPtr: usize, bLen: usize): i32 {
  return timingSafeEqual(take(aPtr, aLen), take(bPtr, bLen)) ? 1 : 0;
}
