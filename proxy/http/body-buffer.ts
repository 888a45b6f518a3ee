// BodyBuffer: the body bytes pending at one point of a filter chain, kept as a list of chunks.

/**
 * Body data pending at a filter: the current chunk, plus everything buffered while the filter
 * answered Stop. Chunks are kept as received (no copy) until someone asks for contiguous bytes.
 * Offsets and sizes follow proxy_get_buffer_bytes / proxy_set_buffer_bytes.
 */
export class BodyBuffer {
  private chunks: Buffer[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  prepend(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.unshift(chunk);
    this.total += chunk.length;
  }

  /** Moves every chunk of `other` to the end of this buffer, leaving `other` empty. */
  move(other: BodyBuffer): void {
    for (const c of other.chunks) this.chunks.push(c);
    this.total += other.total;
    other.chunks = [];
    other.total = 0;
  }

  /** The chunks, in order (do not mutate). */
  parts(): readonly Buffer[] {
    return this.chunks;
  }

  /** All bytes, contiguous (joins the chunks once; later calls are free until the next change). */
  toBuffer(): Buffer {
    if (this.chunks.length === 0) return Buffer.alloc(0);
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.total)];
    return this.chunks[0]!;
  }

  /** Up to `size` bytes from `start` (clamped to the buffer). */
  slice(start: number, size: number): Buffer {
    const all = this.toBuffer();
    const s = Math.min(start, all.length);
    return all.subarray(s, Math.min(all.length, s + size));
  }

  /**
   * Replaces `size` bytes at `start` with `value` (proxy_set_buffer_bytes): start=0,size=0
   * prepends; start >= length appends; otherwise injects/replaces.
   */
  splice(start: number, size: number, value: Buffer): void {
    if (start >= this.total) {
      this.append(Buffer.from(value));
      return;
    }
    if (start === 0 && size === 0) {
      this.prepend(Buffer.from(value));
      return;
    }
    const all = this.toBuffer();
    const end = Math.min(all.length, start + size);
    const next = Buffer.concat([all.subarray(0, start), value, all.subarray(end)]);
    this.chunks = next.length > 0 ? [next] : [];
    this.total = next.length;
  }

  /** Removes every byte; returns the chunks that were held. */
  drain(): Buffer[] {
    const out = this.chunks;
    this.chunks = [];
    this.total = 0;
    return out;
  }
}
