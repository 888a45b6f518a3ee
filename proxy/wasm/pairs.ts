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

/** Writes the serialized form of `list` into `buf` at `at` (room checked by the caller). */
export function writePairs(buf: Buffer, at: number, list: readonly string[]): void {
  const count = list.length >> 1;
  buf.writeUInt32LE(count, at);
  let sizes = at + 4;
  let data = at + 4 + count * 8;
  for (let i = 0; i + 1 < list.length; i += 2) {
    const k = list[i]!;
    const v = list[i + 1]!;
    buf.writeUInt32LE(k.length, sizes);
    buf.writeUInt32LE(v.length, sizes + 4);
    sizes += 8;
    data += buf.write(k, data, k.length, 'latin1');
    buf[data++] = 0;
    data += buf.write(v, data, v.length, 'latin1');
    buf[data++] = 0;
  }
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
