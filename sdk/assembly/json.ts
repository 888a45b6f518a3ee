// A small, strict JSON reader for configuration. It parses UTF-8 bytes into a value tree (json-value.ts),
// reports malformed input as a result (never a trap), bounds nesting, and validates UTF-8.
import { JsonArray, JsonBool, JsonNull, JsonNumber, JsonObject, JsonString, JsonValue } from "./json-value";

/** The outcome of a parse: a value, or an error with the byte offset where it was found. */
export class JsonParseResult {
  constructor(readonly value: JsonValue | null, readonly error: string, readonly offset: i32) {}
  get ok(): bool {
    return this.value !== null;
  }
  /** The value when it is an object, else an empty object (handy for optional configuration). */
  object(): JsonObject {
    const v = this.value;
    if (v !== null) {
      const o = v.asObject();
      if (o !== null) return o;
    }
    return new JsonObject();
  }
}

/** Default nesting limit: deep enough for any configuration, shallow enough for the Wasm stack. */
export const JSON_MAX_DEPTH: i32 = 64;

/**
 * Parses JSON text.
 *
 * @example
 * const r = parseJson('{"add": {"x-a": "1"}}');
 * if (!r.ok) log(LogLevel.Error, "config: " + r.error + " at byte " + r.offset.toString());
 */
export function parseJson(text: string, maxDepth: i32 = JSON_MAX_DEPTH): JsonParseResult {
  return parseJsonBytes(String.UTF8.encode(text), maxDepth);
}

/** Parses JSON from UTF-8 bytes (invalid UTF-8 is an error). */
export function parseJsonBytes(bytes: ArrayBuffer, maxDepth: i32 = JSON_MAX_DEPTH): JsonParseResult {
  const p = new Parser(changetype<usize>(bytes), <usize>bytes.byteLength, maxDepth);
  p.skipWs();
  let v = p.value();
  if (v !== null) {
    p.skipWs();
    if (p.pos != p.end) v = p.fail("unexpected data after the value");
  }
  const err = p.error;
  if (v === null || err !== null) return new JsonParseResult(null, err === null ? "invalid JSON" : err, p.errorAt);
  return new JsonParseResult(v, "", -1);
}

// ---- Reader

let scratch = new ArrayBuffer(64);

class Parser {
  pos: usize;
  end: usize;
  error: string | null = null;
  errorAt: i32 = 0;
  depth: i32 = 0;

  constructor(readonly start: usize, length: usize, readonly maxDepth: i32) {
    this.pos = start;
    this.end = start + length;
  }

  fail(message: string): JsonValue | null {
    if (this.error === null) {
      this.error = message;
      this.errorAt = <i32>(this.pos - this.start);
    }
    return null;
  }

  skipWs(): void {
    let p = this.pos;
    const e = this.end;
    while (p < e) {
      const c = load<u8>(p);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
      p++;
    }
    this.pos = p;
  }

  value(): JsonValue | null {
    if (this.pos >= this.end) return this.fail("unexpected end of input");
    const c = load<u8>(this.pos);
    if (c == 0x7b) return this.object();
    if (c == 0x5b) return this.array();
    if (c == 0x22) {
      const s = this.string();
      return s === null ? null : new JsonString(s);
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (c == 0x74) return this.literal("true", new JsonBool(true));
    if (c == 0x66) return this.literal("false", new JsonBool(false));
    if (c == 0x6e) return this.literal("null", new JsonNull());
    return this.fail("unexpected character");
  }

  literal(word: string, v: JsonValue): JsonValue | null {
    const n = <usize>word.length;
    if (this.end - this.pos < n) return this.fail("invalid literal");
    for (let i: usize = 0; i < n; i++) {
      if (<u32>load<u8>(this.pos + i) != <u32>word.charCodeAt(<i32>i)) return this.fail("invalid literal");
    }
    this.pos += n;
    return v;
  }

  object(): JsonValue | null {
    if (++this.depth > this.maxDepth) return this.fail("nesting too deep");
    this.pos++;
    const o = new JsonObject();
    this.skipWs();
    if (this.pos < this.end && load<u8>(this.pos) == 0x7d) {
      this.pos++;
      this.depth--;
      return o;
    }
    while (true) {
      this.skipWs();
      if (this.pos >= this.end || load<u8>(this.pos) != 0x22) return this.fail("expected a string key");
      const key = this.string();
      if (key === null) return null;
      this.skipWs();
      if (this.pos >= this.end || load<u8>(this.pos) != 0x3a) return this.fail("expected ':'");
      this.pos++;
      this.skipWs();
      const v = this.value();
      if (v === null) return null;
      o.set(key, v);
      this.skipWs();
      if (this.pos >= this.end) return this.fail("unexpected end of input");
      const c = load<u8>(this.pos++);
      if (c == 0x7d) break;
      if (c != 0x2c) {
        this.pos--;
        return this.fail("expected ',' or '}'");
      }
    }
    this.depth--;
    return o;
  }

  array(): JsonValue | null {
    if (++this.depth > this.maxDepth) return this.fail("nesting too deep");
    this.pos++;
    const a = new JsonArray();
    this.skipWs();
    if (this.pos < this.end && load<u8>(this.pos) == 0x5d) {
      this.pos++;
      this.depth--;
      return a;
    }
    while (true) {
      this.skipWs();
      const v = this.value();
      if (v === null) return null;
      a.items.push(v);
      this.skipWs();
      if (this.pos >= this.end) return this.fail("unexpected end of input");
      const c = load<u8>(this.pos++);
      if (c == 0x5d) break;
      if (c != 0x2c) {
        this.pos--;
        return this.fail("expected ',' or ']'");
      }
    }
    this.depth--;
    return a;
  }

  number(): JsonValue | null {
    const begin = this.pos;
    const e = this.end;
    let p = begin;
    const negative = load<u8>(p) == 0x2d;
    if (negative) p++;
    if (p >= e) return this.failAt(p, "invalid number");
    let acc: u64 = 0;
    let overflow = false;
    let c = load<u8>(p);
    if (c == 0x30) {
      p++;
    } else if (c >= 0x31 && c <= 0x39) {
      while (p < e) {
        c = load<u8>(p);
        if (c < 0x30 || c > 0x39) break;
        const d = <u64>(c - 0x30);
        if (acc > (u64.MAX_VALUE - d) / 10) overflow = true;
        else acc = acc * 10 + d;
        p++;
      }
    } else {
      return this.failAt(p, "invalid number");
    }
    let integral = true;
    if (p < e && load<u8>(p) == 0x2e) {
      integral = false;
      p++;
      const digits = p;
      while (p < e && load<u8>(p) >= 0x30 && load<u8>(p) <= 0x39) p++;
      if (p == digits) return this.failAt(p, "invalid number");
    }
    if (p < e && (load<u8>(p) | 0x20) == 0x65) {
      integral = false;
      p++;
      if (p < e && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) p++;
      const digits = p;
      while (p < e && load<u8>(p) >= 0x30 && load<u8>(p) <= 0x39) p++;
      if (p == digits) return this.failAt(p, "invalid number");
    }
    this.pos = p;
    const n = new JsonNumber(parseFloat(String.UTF8.decodeUnsafe(begin, p - begin)));
    if (integral && !overflow) {
      if (negative && acc <= 0x8000000000000000) {
        n.isInteger = true;
        n.integer = -(<i64>acc);
      } else if (!negative && acc <= <u64>i64.MAX_VALUE) {
        n.isInteger = true;
        n.integer = <i64>acc;
      }
    }
    return n;
  }

  failAt(p: usize, message: string): JsonValue | null {
    this.pos = p;
    return this.fail(message);
  }

  /** Reads a string at `pos` (which holds the opening quote); null on error. */
  string(): string | null {
    let p = this.pos + 1;
    const e = this.end;
    const first = p;
    // Fast path: no escapes.
    while (p < e) {
      const c = load<u8>(p);
      if (c == 0x22) {
        this.pos = p + 1;
        return String.UTF8.decodeUnsafe(first, p - first);
      }
      if (c == 0x5c) break;
      if (c < 0x20) return this.stringError(p, "control character in string");
      if (c >= 0x80) {
        const n = utf8Length(p, e);
        if (n == 0) return this.stringError(p, "invalid UTF-8");
        p += n;
      } else {
        p++;
      }
    }
    if (p >= e) return this.stringError(p, "unterminated string");
    // Slow path: copy into scratch, decoding escapes to WTF-8 (lone surrogates survive, as in JS).
    let len: usize = 0;
    len = this.put(len, first, p - first);
    while (p < e) {
      const c = load<u8>(p);
      if (c == 0x22) {
        this.pos = p + 1;
        return String.UTF8.decodeUnsafe(changetype<usize>(scratch), len);
      }
      if (c < 0x20) return this.stringError(p, "control character in string");
      if (c == 0x5c) {
        if (p + 1 >= e) break;
        const x = load<u8>(p + 1);
        let ch: u32 = 0;
        if (x == 0x22 || x == 0x5c || x == 0x2f) ch = x;
        else if (x == 0x62) ch = 0x08;
        else if (x == 0x66) ch = 0x0c;
        else if (x == 0x6e) ch = 0x0a;
        else if (x == 0x72) ch = 0x0d;
        else if (x == 0x74) ch = 0x09;
        else if (x == 0x75) {
          const u = hex4(p + 2, e);
          if (u < 0) return this.stringError(p, "invalid \\u escape");
          ch = <u32>u;
          p += 6;
          if (ch >= 0xd800 && ch <= 0xdbff && p + 1 < e && load<u8>(p) == 0x5c && load<u8>(p + 1) == 0x75) {
            const lo = hex4(p + 2, e);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              ch = 0x10000 + ((ch - 0xd800) << 10) + (<u32>lo - 0xdc00);
              p += 6;
            }
          }
          len = this.putCodePoint(len, ch);
          continue;
        } else {
          return this.stringError(p, "invalid escape");
        }
        len = this.putCodePoint(len, ch);
        p += 2;
        continue;
      }
      if (c >= 0x80) {
        const n = utf8Length(p, e);
        if (n == 0) return this.stringError(p, "invalid UTF-8");
        len = this.put(len, p, n);
        p += n;
      } else {
        len = this.putByte(len, c);
        p++;
      }
    }
    return this.stringError(p, "unterminated string");
  }

  stringError(p: usize, message: string): string | null {
    this.failAt(p, message);
    return null;
  }

  reserve(len: usize, more: usize): void {
    const need = len + more;
    if (need <= <usize>scratch.byteLength) return;
    let cap = <usize>scratch.byteLength << 1;
    while (cap < need) cap <<= 1;
    const next = new ArrayBuffer(<i32>cap);
    memory.copy(changetype<usize>(next), changetype<usize>(scratch), len);
    scratch = next;
  }

  put(len: usize, src: usize, n: usize): usize {
    this.reserve(len, n);
    memory.copy(changetype<usize>(scratch) + len, src, n);
    return len + n;
  }

  putByte(len: usize, b: u32): usize {
    this.reserve(len, 1);
    store<u8>(changetype<usize>(scratch) + len, <u8>b);
    return len + 1;
  }

  putCodePoint(len: usize, cp: u32): usize {
    this.reserve(len, 4);
    const at = changetype<usize>(scratch) + len;
    if (cp < 0x80) {
      store<u8>(at, <u8>cp);
      return len + 1;
    }
    if (cp < 0x800) {
      store<u8>(at, <u8>(0xc0 | (cp >> 6)));
      store<u8>(at, <u8>(0x80 | (cp & 0x3f)), 1);
      return len + 2;
    }
    if (cp < 0x10000) {
      store<u8>(at, <u8>(0xe0 | (cp >> 12)));
      store<u8>(at, <u8>(0x80 | ((cp >> 6) & 0x3f)), 1);
      store<u8>(at, <u8>(0x80 | (cp & 0x3f)), 2);
      return len + 3;
    }
    store<u8>(at, <u8>(0xf0 | (cp >> 18)));
    store<u8>(at, <u8>(0x80 | ((cp >> 12) & 0x3f)), 1);
    store<u8>(at, <u8>(0x80 | ((cp >> 6) & 0x3f)), 2);
    store<u8>(at, <u8>(0x80 | (cp & 0x3f)), 3);
    return len + 4;
  }
}

/** Value of 4 hex digits at `p`, or -1. */
function hex4(p: usize, e: usize): i32 {
  if (p > e || e - p < 4) return -1;
  let v: i32 = 0;
  for (let i: usize = 0; i < 4; i++) {
    const c = <i32>load<u8>(p + i);
    let d: i32;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

/** Length of the well-formed UTF-8 sequence at `p` (lead byte >= 0x80), or 0 when malformed. */
function utf8Length(p: usize, e: usize): usize {
  const b0 = <u32>load<u8>(p);
  let n: usize;
  let lo: u32 = 0x80;
  let hi: u32 = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) n = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3;
    if (b0 == 0xe0) lo = 0xa0;
    else if (b0 == 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4;
    if (b0 == 0xf0) lo = 0x90;
    else if (b0 == 0xf4) hi = 0x8f;
  } else return 0;
  if (e - p < n) return 0;
  const b1 = <u32>load<u8>(p + 1);
  if (b1 < lo || b1 > hi) return 0;
  for (let i: usize = 2; i < n; i++) {
    const b = <u32>load<u8>(p + i);
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return n;
}

