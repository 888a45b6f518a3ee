// HeaderMap: an ordered list of header fields with lowercase names, pseudo-headers first (HTTP/2 style).

/**
 * The one header representation inside Weft, whatever the wire protocol.
 *
 * - Names are lowercase; values are strings (latin1 for HTTP/1 bytes).
 * - Request maps start with the pseudo-headers `:method`, `:scheme`, `:authority`, `:path`;
 *   response maps with `:status`. HTTP/1 codecs translate Host <-> :authority.
 * - Hop-by-hop headers never appear: codecs strip them when decoding.
 *
 * Stored flat (`[name0, value0, name1, value1, …]`): for the 5-30 fields of a real request a
 * linear scan beats a Map, and the flat list serializes to the wire or to Wasm memory in one pass.
 */
export class HeaderMap {
  /** Flat name/value list. Read freely; mutate only through the methods (they keep names lowercase). */
  readonly list: string[];

  constructor(list: string[] = []) {
    this.list = list;
  }

  static from(pairs: Iterable<readonly [string, string]>): HeaderMap {
    const list: string[] = [];
    for (const [k, v] of pairs) list.push(k.toLowerCase(), v);
    return new HeaderMap(list);
  }

  /** Number of fields (a name that appears twice counts twice). */
  get size(): number {
    return this.list.length >> 1;
  }

  /** First value of `name` (lowercase), or undefined. */
  get(name: string): string | undefined {
    const l = this.list;
    for (let i = 0; i < l.length; i += 2) if (l[i] === name) return l[i + 1];
    return undefined;
  }

  getAll(name: string): string[] {
    const out: string[] = [];
    const l = this.list;
    for (let i = 0; i < l.length; i += 2) if (l[i] === name) out.push(l[i + 1]!);
    return out;
  }

  has(name: string): boolean {
    const l = this.list;
    for (let i = 0; i < l.length; i += 2) if (l[i] === name) return true;
    return false;
  }

  /** Appends a field (keeps existing ones). Pseudo-headers go after the other pseudo-headers. */
  add(name: string, value: string): void {
    const n = name.toLowerCase();
    if (n.charCodeAt(0) === 58 /* : */) {
      let i = 0;
      while (i < this.list.length && this.list[i]!.charCodeAt(0) === 58) i += 2;
      this.list.splice(i, 0, n, value);
    } else {
      this.list.push(n, value);
    }
  }

  /** Replaces every field named `name` with one field (in the first one's place), or appends it. */
  set(name: string, value: string): void {
    const n = name.toLowerCase();
    const l = this.list;
    let found = -1;
    for (let i = 0; i < l.length; i += 2) {
      if (l[i] === n) {
        if (found < 0) {
          found = i;
          l[i + 1] = value;
        } else {
          l.splice(i, 2);
          i -= 2;
        }
      }
    }
    if (found < 0) this.add(n, value);
  }

  /** Removes every field named `name`; returns how many were removed (0 is not an error). */
  remove(name: string): number {
    const n = name.toLowerCase();
    const l = this.list;
    let removed = 0;
    for (let i = 0; i < l.length; i += 2) {
      if (l[i] === n) {
        l.splice(i, 2);
        i -= 2;
        removed++;
      }
    }
    return removed;
  }

  /** Replaces the whole content (e.g. proxy_set_header_map_pairs). */
  replaceAll(list: string[]): void {
    this.list.length = 0;
    for (let i = 0; i + 1 < list.length; i += 2) this.list.push(list[i]!.toLowerCase(), list[i + 1]!);
  }

  /** Sum of name and value lengths (what the size limits count). */
  byteSize(): number {
    let n = 0;
    const l = this.list;
    for (let i = 0; i < l.length; i++) n += l[i]!.length;
    return n;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const l = this.list;
    for (let i = 0; i < l.length; i += 2) yield [l[i]!, l[i + 1]!];
  }

  clone(): HeaderMap {
    return new HeaderMap(this.list.slice());
  }

  /** `{ name: value }` with repeated names joined by ", " (set-cookie kept as an array) — for logs and tests. */
  toObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of this) {
      const prev = out[k];
      if (prev === undefined) out[k] = v;
      else if (k === 'set-cookie') out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
      else out[k] = `${prev as string}, ${v}`;
    }
    return out;
  }
}
