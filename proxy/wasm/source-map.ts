// Source maps of Wasm modules (AssemblyScript writes them): byte offset in the module -> source file and line.

export interface SourcePosition {
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

const B64 = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

/** Decoded mappings of a map whose single generated "line" is the module's bytes (the Wasm convention). */
export class WasmSourceMap {
  private readonly offsets: number[] = [];
  private readonly positions: SourcePosition[] = [];

  constructor(json: string) {
    const map = JSON.parse(json) as { sources?: string[]; sourceRoot?: string; mappings?: string };
    const sources = (map.sources ?? []).map((s) => (map.sourceRoot ? `${map.sourceRoot.replace(/\/$/, '')}/${s}` : s));
    let col = 0;
    let src = 0;
    let line = 0;
    let scol = 0;
    for (const segment of (map.mappings ?? '').split(/[;,]/)) {
      if (segment === '') continue;
      const v = decodeVlq(segment);
      col += v[0] ?? 0;
      if (v.length >= 4) {
        src += v[1]!;
        line += v[2]!;
        scol += v[3]!;
        const source = sources[src];
        if (source !== undefined) {
          this.offsets.push(col);
          this.positions.push({ source, line: line + 1, column: scol + 1 });
        }
      }
    }
    const order = this.offsets.map((_, i) => i).sort((a, b) => this.offsets[a]! - this.offsets[b]!);
    const o = order.map((i) => this.offsets[i]!);
    const p = order.map((i) => this.positions[i]!);
    this.offsets.splice(0, this.offsets.length, ...o);
    this.positions.splice(0, this.positions.length, ...p);
  }

  /** The position of the last mapping at or before `offset`. */
  lookup(offset: number): SourcePosition | undefined {
    let lo = 0;
    let hi = this.offsets.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid]! <= offset) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return best < 0 ? undefined : this.positions[best];
  }
}

function decodeVlq(s: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of s) {
    const d = B64.get(ch);
    if (d === undefined) break;
    value += (d & 31) * 2 ** shift;
    if (d & 32) {
      shift += 5;
    } else {
      const neg = value % 2 === 1;
      const n = Math.floor(value / 2);
      out.push(neg ? -n : n);
      value = 0;
      shift = 0;
    }
  }
  return out;
}
