// Serialization of header maps and gRPC metadata, as the spec defines it: a u32 count, then a
// (u32 key length, u32 value length) per pair, then each key and value followed by a NUL byte.
import { argReserve } from "./memory";

/**
 * One header, trailer or metadata entry. Names are given as the host stores them (lower case for
 * HTTP/2 and most hosts).
 *
 * @example
 * const headers: HeaderPair[] = [new HeaderPair(":status", "403"), new HeaderPair("x-reason", "denied")];
 */
export class HeaderPair {
  constructor(public name: string, public value: string) {}
}

/** Size in bytes of `pairs` serialized. */
export function serializedSize(pairs: Array<HeaderPair>): usize {
  const n = pairs.length;
  if (n == 0) return 0;
  let size: usize = 4 + 8 * <usize>n;
  for (let i = 0; i < n; i++) {
    const p = unchecked(pairs[i]);
    size += <usize>String.UTF8.byteLength(p.name) + <usize>String.UTF8.byteLength(p.value) + 2;
  }
  return size;
}

/** Serializes `pairs` at `ptr`, which must have `serializedSize(pairs)` bytes. */
export function serializePairsAt(pairs: Array<HeaderPair>, ptr: usize): void {
  const n = pairs.length;
  if (n == 0) return;
  store<u32>(ptr, <u32>n);
  let sizes = ptr + 4;
  let data = sizes + 8 * <usize>n;
  for (let i = 0; i < n; i++) {
    const p = unchecked(pairs[i]);
    const k = String.UTF8.encodeUnsafe(changetype<usize>(p.name), p.name.length, data);
    store<u8>(data + k, 0);
    data += k + 1;
    const v = String.UTF8.encodeUnsafe(changetype<usize>(p.value), p.value.length, data);
    store<u8>(data + v, 0);
    data += v + 1;
    store<u32>(sizes, <u32>k);
    store<u32>(sizes, <u32>v, 4);
    sizes += 8;
  }
}

/**
 * Serializes `pairs` into a new buffer.
 *
 * @example
 * const bytes = serializePairs([new HeaderPair("a", "1")]);
 */
export function serializePairs(pairs: Array<HeaderPair>): ArrayBuffer {
  const out = new ArrayBuffer(<i32>serializedSize(pairs));
  serializePairsAt(pairs, changetype<usize>(out));
  return out;
}

/** Serializes `pairs` (or nothing, for null) into the argument arena; sets `argLen`. */
export function argPairs(pairs: Array<HeaderPair> | null): usize {
  if (pairs === null) return argReserve(0);
  const ptr = argReserve(serializedSize(pairs));
  serializePairsAt(pairs, ptr);
  return ptr;
}

/**
 * Parses `size` serialized bytes at `ptr`. Returns null when the bytes are malformed (a count or
 * a length that runs past the end); an empty map may be 0 bytes or a single 0x00 byte.
 */
export function parsePairsAt(ptr: usize, size: usize): Array<HeaderPair> | null {
  if (size < 4) return size <= 1 ? new Array<HeaderPair>(0) : null;
  const n = <usize>load<u32>(ptr);
  if (n > (size - 4) >> 3) return null;
  const out = new Array<HeaderPair>(<i32>n);
  const end = ptr + size;
  let sizes = ptr + 4;
  let data = sizes + 8 * n;
  for (let i: usize = 0; i < n; i++) {
    const k = <usize>load<u32>(sizes);
    const v = <usize>load<u32>(sizes, 4);
    sizes += 8;
    // Each of k and v is below 2^32 and data < end, so these sums cannot wrap in 64-bit math.
    if (<u64>data + <u64>k + <u64>v + 2 > <u64>end) return null;
    const name = String.UTF8.decodeUnsafe(data, k);
    data += k + 1;
    const value = String.UTF8.decodeUnsafe(data, v);
    data += v + 1;
    unchecked((out[<i32>i] = new HeaderPair(name, value)));
  }
  return out;
}

/**
 * Parses serialized pairs from a buffer; null when malformed.
 *
 * @example
 * const pairs = parsePairs(bytes);
 * if (pairs !== null) for (let i = 0; i < pairs.length; i++) log(LogLevel.Debug, pairs[i].name);
 */
export function parsePairs(bytes: ArrayBuffer): Array<HeaderPair> | null {
  return parsePairsAt(changetype<usize>(bytes), <usize>bytes.byteLength);
}
