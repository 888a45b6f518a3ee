// Base64 and base64url (RFC 4648) decoding and encoding, strict about the alphabet.

/** Value of a base64 (or, with `url`, base64url) character, or -1. */
function digit(c: i32, url: bool): i32 {
  if (c >= 65 && c <= 90) return c - 65; // A-Z
  if (c >= 97 && c <= 122) return c - 71; // a-z
  if (c >= 48 && c <= 57) return c + 4; // 0-9
  if (c == (url ? 45 : 43)) return 62; // - or +
  if (c == (url ? 95 : 47)) return 63; // _ or /
  return -1;
}

function decode(text: string, url: bool): ArrayBuffer | null {
  let n = text.length;
  if (!url) {
    while (n > 0 && text.charCodeAt(n - 1) == 61) n--; // '='
    if (text.length - n > 2 || (text.length != n && text.length % 4 != 0)) return null;
  }
  const rem = n & 3;
  if (rem == 1) return null;
  const size = (n >> 2) * 3 + (rem == 0 ? 0 : rem - 1);
  const out = new ArrayBuffer(size);
  const o = changetype<usize>(out);
  let at: usize = 0;
  let acc: u32 = 0;
  let bits: i32 = 0;
  for (let i = 0; i < n; i++) {
    const d = digit(text.charCodeAt(i), url);
    if (d < 0) return null;
    acc = (acc << 6) | <u32>d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      store<u8>(o + at++, <u8>(acc >> <u32>bits));
    }
  }
  // Bits left over in the last character must be zero, so each byte string has one encoding.
  if (bits > 0 && (acc & ((1 << <u32>bits) - 1)) != 0) return null;
  return out;
}

/**
 * Decodes base64url text without padding (RFC 4648 section 5, as JWS and JWK use it), or null
 * when it is not exactly that.
 *
 * @example
 * const payload = base64UrlDecode("eyJzdWIiOiIxMjMifQ");   // {"sub":"123"} as bytes
 */
export function base64UrlDecode(text: string): ArrayBuffer | null {
  return decode(text, true);
}

/** Decodes standard base64 (padding optional), or null when it is not. */
export function base64Decode(text: string): ArrayBuffer | null {
  return decode(text, false);
}

// @ts-ignore: decorator
@lazy const URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Encodes bytes as base64url without padding.
 *
 * @example
 * const text = base64UrlEncode(sha256(body));
 */
export function base64UrlEncode(data: ArrayBuffer): string {
  const p = changetype<usize>(data);
  const n = data.byteLength;
  let out = "";
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (<u32>load<u8>(p + <usize>i) << 16) | (<u32>load<u8>(p + <usize>i + 1) << 8) | <u32>load<u8>(p + <usize>i + 2);
    out += URL_ALPHABET.charAt(v >> 18) + URL_ALPHABET.charAt((v >> 12) & 63) + URL_ALPHABET.charAt((v >> 6) & 63) + URL_ALPHABET.charAt(v & 63);
  }
  if (n - i == 1) {
    const v = <u32>load<u8>(p + <usize>i) << 16;
    out += URL_ALPHABET.charAt(v >> 18) + URL_ALPHABET.charAt((v >> 12) & 63);
  } else if (n - i == 2) {
    const v = (<u32>load<u8>(p + <usize>i) << 16) | (<u32>load<u8>(p + <usize>i + 1) << 8);
    out += URL_ALPHABET.charAt(v >> 18) + URL_ALPHABET.charAt((v >> 12) & 63) + URL_ALPHABET.charAt((v >> 6) & 63);
  }
  return out;
}

/** Lower-case hex of `data`. */
export function toHex(data: ArrayBuffer): string {
  const p = changetype<usize>(data);
  let out = "";
  for (let i = 0; i < data.byteLength; i++) {
    const b = <u32>load<u8>(p + <usize>i);
    out += "0123456789abcdef".charAt(b >> 4) + "0123456789abcdef".charAt(b & 15);
  }
  return out;
}

/** Bytes of hex text (either case), or null when it is not hex of whole bytes. */
export function fromHex(text: string): ArrayBuffer | null {
  if ((text.length & 1) != 0) return null;
  const out = new ArrayBuffer(text.length >> 1);
  const o = changetype<usize>(out);
  for (let i = 0; i < text.length; i += 2) {
    const hi = hexDigit(text.charCodeAt(i));
    const lo = hexDigit(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return null;
    store<u8>(o + <usize>(i >> 1), <u8>((hi << 4) | lo));
  }
  return out;
}

function hexDigit(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
