// Reads a Wasm binary's sections (types, imports, exports, memory, custom) and rewrites its memory maximum.

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface ImportEntry {
  readonly module: string;
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  /** For functions. */
  readonly type?: FuncType;
  /** For memories: limits in 64 KiB pages. */
  readonly memory?: MemoryLimits;
}

export interface ExportEntry {
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  readonly index: number;
}

export interface MemoryLimits {
  readonly min: number;
  readonly max?: number;
  readonly shared: boolean;
  readonly memory64: boolean;
}

/** Where a section sits in the binary (offsets of its payload). */
interface SectionSpan {
  readonly id: number;
  /** Offset of the section id byte. */
  readonly start: number;
  /** Offset of the payload (after id and size). */
  readonly payload: number;
  /** Offset just past the payload. */
  readonly end: number;
}

export interface ModuleInfo {
  readonly types: readonly FuncType[];
  readonly imports: readonly ImportEntry[];
  readonly exports: readonly ExportEntry[];
  /** The module's own memory (index 0), when it defines one. */
  readonly definedMemory?: MemoryLimits;
  readonly importedFunctionCount: number;
  /** Type of each function, imports first (the function index space). */
  readonly functionTypes: readonly FuncType[];
  /** Byte offsets [start, end) of each defined function body, by function index (imports have none). */
  readonly functionBodies: ReadonlyMap<number, readonly [number, number]>;
  /** Function names from the "name" custom section, by function index. */
  readonly functionNames: ReadonlyMap<number, string>;
  readonly sourceMappingURL?: string;
  readonly hasStartSection: boolean;
  readonly sections: readonly SectionSpan[];
}

export class WasmFormatError extends Error {}

const VALTYPES: Record<number, ValType> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' };
const KINDS = ['function', 'table', 'memory', 'global', 'tag'] as const;

class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }
  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError('unexpected end of module');
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) throw new WasmFormatError('malformed LEB128');
    }
    return result;
  }
  u64(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 70) throw new WasmFormatError('malformed LEB128');
    }
    return result;
  }
  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end) throw new WasmFormatError('name runs past its section');
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.pos, len).toString('utf8');
    this.pos += len;
    return s;
  }
  valtype(): ValType {
    const b = this.byte();
    const t = VALTYPES[b];
    if (!t) throw new WasmFormatError(`unsupported value type 0x${b.toString(16)}`);
    return t;
  }
  limits(): MemoryLimits {
    const flags = this.byte();
    if (flags > 7) throw new WasmFormatError('malformed memory limits');
    const memory64 = (flags & 4) !== 0;
    const min = memory64 ? this.u64() : this.u32();
    const max = flags & 1 ? (memory64 ? this.u64() : this.u32()) : undefined;
    return max === undefined ? { min, shared: (flags & 2) !== 0, memory64 } : { min, max, shared: (flags & 2) !== 0, memory64 };
  }
}

/** Parses what the host needs from a module. Throws WasmFormatError on malformed bytes. */
export function inspectModule(bytes: Uint8Array): ModuleInfo {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new WasmFormatError('not a WebAssembly module (bad magic number)');
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) throw new WasmFormatError('unsupported WebAssembly binary version');
  const types: FuncType[] = [];
  const imports: ImportEntry[] = [];
  const exports: ExportEntry[] = [];
  const sections: SectionSpan[] = [];
  const functionTypes: FuncType[] = [];
  const functionBodies = new Map<number, readonly [number, number]>();
  const functionNames = new Map<number, string>();
  let definedMemory: MemoryLimits | undefined;
  let sourceMappingURL: string | undefined;
  let hasStartSection = false;
  let importedFunctionCount = 0;
  const r = new Reader(bytes, 8);
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.byte();
    const size = r.u32();
    const payload = r.pos;
    const end = payload + size;
    if (end > bytes.length) throw new WasmFormatError(`section ${id} runs past the end of the module`);
    sections.push({ id, start, payload, end });
    const s = new Reader(bytes, payload, end);
    switch (id) {
      case 0: {
        const name = s.name();
        if (name === 'sourceMappingURL') sourceMappingURL = s.name();
        else if (name === 'name') readNames(s, functionNames);
        break;
      }
      case 1: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const form = s.byte();
          if (form !== 0x60) throw new WasmFormatError(`unsupported type form 0x${form.toString(16)}`);
          const params: ValType[] = [];
          for (let p = s.u32(); p > 0; p--) params.push(s.valtype());
          const results: ValType[] = [];
          for (let q = s.u32(); q > 0; q--) results.push(s.valtype());
          types.push({ params, results });
        }
        break;
      }
      case 2: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const module = s.name();
          const name = s.name();
          const kind = KINDS[s.byte()];
          if (!kind) throw new WasmFormatError('malformed import kind');
          if (kind === 'function') {
            const type = types[s.u32()];
            if (!type) throw new WasmFormatError(`import ${module}.${name} names a missing type`);
            imports.push({ module, name, kind, type });
            functionTypes.push(type);
            importedFunctionCount++;
          } else if (kind === 'memory') {
            imports.push({ module, name, kind, memory: s.limits() });
          } else if (kind === 'table') {
            s.byte();
            s.limits();
            imports.push({ module, name, kind });
          } else if (kind === 'global') {
            s.byte();
            s.byte();
            imports.push({ module, name, kind });
          } else {
            s.byte();
            s.u32();
            imports.push({ module, name, kind });
          }
        }
        break;
      }
      case 3: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const type = types[s.u32()];
          if (!type) throw new WasmFormatError('function names a missing type');
          functionTypes.push(type);
        }
        break;
      }
      case 5: {
        const n = s.u32();
        if (n > 0) definedMemory = s.limits();
        break;
      }
      case 7: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const name = s.name();
          const kind = KINDS[s.byte()];
          if (!kind) throw new WasmFormatError('malformed export kind');
          exports.push({ name, kind, index: s.u32() });
        }
        break;
      }
      case 8:
        hasStartSection = true;
        break;
      case 10: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const len = s.u32();
          functionBodies.set(importedFunctionCount + i, [s.pos, s.pos + len]);
          s.pos += len;
        }
        break;
      }
      default:
        break;
    }
    r.pos = end;
  }
  return {
    types,
    imports,
    exports,
    ...(definedMemory ? { definedMemory } : {}),
    importedFunctionCount,
    functionTypes,
    functionBodies,
    functionNames,
    ...(sourceMappingURL !== undefined ? { sourceMappingURL } : {}),
    hasStartSection,
    sections,
  };
}

function readNames(s: Reader, out: Map<number, string>): void {
  try {
    while (s.pos < s.end) {
      const sub = s.byte();
      const size = s.u32();
      const next = s.pos + size;
      if (sub === 1) {
        for (let n = s.u32(); n > 0; n--) {
          const idx = s.u32();
          out.set(idx, s.name());
        }
      }
      s.pos = next;
    }
  } catch {
    // A malformed name section only costs us names in trap logs.
  }
}

function encodeU32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/**
 * Returns a copy of the module whose own memory has `maxPages` as its maximum (lowered, or added
 * when absent). Throws when the module's minimum already exceeds it. Modules without their own
 * memory are returned unchanged (an imported memory is capped where the host creates it).
 */
export function capMemory(bytes: Uint8Array, info: ModuleInfo, maxPages: number): Uint8Array {
  const mem = info.definedMemory;
  if (!mem) return bytes;
  if (mem.memory64) throw new WasmFormatError('64-bit memories are not supported');
  if (mem.min > maxPages) {
    throw new WasmFormatError(`the module's memory needs ${mem.min} pages at start, more than the limit of ${maxPages} pages (${maxPages * 64} KiB)`);
  }
  const max = mem.max === undefined ? maxPages : Math.min(mem.max, maxPages);
  if (mem.max === max) return bytes;
  const section = info.sections.find((s) => s.id === 5)!;
  const flags = 1 | (mem.shared ? 2 : 0);
  const payload = [...encodeU32(1), flags, ...encodeU32(mem.min), ...encodeU32(max)];
  const header = [5, ...encodeU32(payload.length)];
  const out = new Uint8Array(bytes.length - (section.end - section.start) + header.length + payload.length);
  out.set(bytes.subarray(0, section.start), 0);
  out.set(header, section.start);
  out.set(payload, section.start + header.length);
  out.set(bytes.subarray(section.end), section.start + header.length + payload.length);
  return out;
}

export function formatFuncType(t: FuncType): string {
  return `(${t.params.join(', ')}) -> (${t.results.join(', ')})`;
}

export function sameFuncType(a: FuncType, b: FuncType): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length && a.params.every((p, i) => p === b.params[i]) && a.results.every((p, i) => p === b.results[i]);
}
