// Reads the parts of a Wasm binary the SDK tests check: function signatures of imports and exports,
// and custom sections (sourceMappingURL). Node 20 has no type reflection on WebAssembly.Module.

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';

export interface Signature {
  params: ValType[];
  results: ValType[];
}

export interface ImportEntry {
  module: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global';
  signature?: Signature;
}

export interface ExportEntry {
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global';
  signature?: Signature;
}

export interface WasmInfo {
  imports: ImportEntry[];
  exports: ExportEntry[];
  customSections: Map<string, Uint8Array>;
  hasStartSection: boolean;
}

const VALTYPES: Record<number, ValType> = {
  0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref',
};
const KINDS = ['function', 'table', 'memory', 'global'] as const;

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  u8(): number {
    if (this.pos >= this.bytes.length) throw new Error('wasm: unexpected end');
    return this.bytes[this.pos++]!;
  }
  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }
  name(): string {
    const n = this.leb();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  valtype(): ValType {
    const b = this.u8();
    const t = VALTYPES[b];
    if (t === undefined) throw new Error(`wasm: unknown value type 0x${b.toString(16)}`);
    return t;
  }
  limits(): void {
    const flags = this.u8();
    this.leb();
    if (flags & 1) this.leb();
  }
}

/** Parses the type, import, function, export, start and custom sections of `bytes`. */
export function inspectWasm(bytes: Uint8Array): WasmInfo {
  const r = new Reader(bytes);
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error('wasm: bad magic');
  }
  r.pos = 8;
  const types: Signature[] = [];
  const imports: ImportEntry[] = [];
  const funcTypes: number[] = [];
  const rawExports: { name: string; kind: number; index: number }[] = [];
  const customSections = new Map<string, Uint8Array>();
  let hasStartSection = false;
  while (r.pos < bytes.length) {
    const id = r.u8();
    const size = r.leb();
    const end = r.pos + size;
    if (id === 0) {
      const name = r.name();
      customSections.set(name, bytes.subarray(r.pos, end));
    } else if (id === 1) {
      for (let n = r.leb(); n > 0; n--) {
        if (r.u8() !== 0x60) throw new Error('wasm: expected a function type');
        const params: ValType[] = [];
        for (let p = r.leb(); p > 0; p--) params.push(r.valtype());
        const results: ValType[] = [];
        for (let q = r.leb(); q > 0; q--) results.push(r.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.leb(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = r.u8();
        if (kind === 0) {
          const t = types[r.leb()];
          imports.push({ module, name, kind: 'function', signature: t });
          funcTypes.push(types.indexOf(t!));
        } else if (kind === 1) {
          r.u8();
          r.limits();
          imports.push({ module, name, kind: 'table' });
        } else if (kind === 2) {
          r.limits();
          imports.push({ module, name, kind: 'memory' });
        } else if (kind === 3) {
          r.valtype();
          r.u8();
          imports.push({ module, name, kind: 'global' });
        } else {
          throw new Error(`wasm: unknown import kind ${kind}`);
        }
      }
    } else if (id === 3) {
      for (let n = r.leb(); n > 0; n--) funcTypes.push(r.leb());
    } else if (id === 7) {
      for (let n = r.leb(); n > 0; n--) {
        const name = r.name();
        const kind = r.u8();
        rawExports.push({ name, kind, index: r.leb() });
      }
    } else if (id === 8) {
      hasStartSection = true;
    }
    r.pos = end;
  }
  const exports = rawExports.map(({ name, kind, index }): ExportEntry => {
    const k = KINDS[kind];
    if (k === undefined) throw new Error(`wasm: unknown export kind ${kind}`);
    return k === 'function' ? { name, kind: k, signature: types[funcTypes[index]!] } : { name, kind: k };
  });
  return { imports, exports, customSections, hasStartSection };
}

/** Renders a signature as `(i32, i32) -> i32`. */
export function formatSignature(s: Signature | undefined): string {
  if (s === undefined) return '?';
  return `(${s.params.join(', ')}) -> ${s.results.length === 0 ? '()' : s.results.join(', ')}`;
}
