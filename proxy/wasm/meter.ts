// CPU metering: rewrites a module so loop headers and calling functions' entries burn fuel from a global and trap when it runs out.
import { inspectModule, WasmFormatError, type ModuleInfo } from './module-inspect.js';

/** Name of the exported i64 global holding the fuel left; the host resets it before each callback. */
export const FUEL_EXPORT = '__weft_fuel';

/**
 * A metered module's start function, moved out of the start section into this export: a start
 * section runs inside instantiation, before the host can give it fuel (the global starts at 0),
 * so the host calls it right after instantiating, with a callback's budget.
 */
export const START_EXPORT = '__weft_start';

/** A run of bytes copied unchanged from the original module into the metered one. */
interface Run {
  readonly metered: number;
  readonly original: number;
  readonly length: number;
}

export interface MeteredModule {
  readonly bytes: Uint8Array;
  /** Maps a byte offset of the metered module back to the original module (for source maps). */
  toOriginalOffset(offset: number): number | undefined;
}

class Bytes {
  readonly out: number[] = [];
  push(...b: number[]): void {
    for (const x of b) this.out.push(x);
  }
  u32(n: number): void {
    do {
      let b = n & 0x7f;
      n = Math.floor(n / 128);
      if (n !== 0) b |= 0x80;
      this.out.push(b);
    } while (n !== 0);
  }
  name(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u32(b.length);
    for (const x of b) this.out.push(x);
  }
}

function u32Bytes(n: number): number[] {
  const b = new Bytes();
  b.u32(n);
  return b.out;
}

/** Decodes instructions of one function body, skipping immediates; reports each opcode's offset. */
class Decoder {
  pos: number;
  constructor(
    private readonly b: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }
  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError('function body ends inside an instruction');
    return this.b[this.pos++]!;
  }
  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      if (shift < 32) result |= (x & 0x7f) << shift;
      shift += 7;
      if ((x & 0x80) === 0) return result >>> 0;
      if (shift > 70) throw new WasmFormatError('malformed LEB128 in a function body');
    }
  }
  skip(n: number): void {
    this.pos += n;
    if (this.pos > this.end) throw new WasmFormatError('function body ends inside an instruction');
  }
  blockType(): void {
    const t = this.b[this.pos]!;
    if (t === 0x40 || t === 0x7f || t === 0x7e || t === 0x7d || t === 0x7c || t === 0x7b || t === 0x70 || t === 0x6f) this.pos++;
    else this.signedLeb();
  }
  signedLeb(): void {
    for (;;) {
      const x = this.byte();
      if ((x & 0x80) === 0) return;
    }
  }
  memarg(): void {
    const align = this.leb();
    if (align & 0x40) this.leb(); // multi-memory: memory index
    this.leb();
  }
}

/** Skips the immediates of the instruction whose opcode was just read. Returns 'loop' for loops. */
function skipImmediates(d: Decoder, op: number): 'loop' | undefined {
  switch (op) {
    case 0x02: // block
    case 0x04: // if
    case 0x06: // try
      d.blockType();
      return undefined;
    case 0x03:
      d.blockType();
      return 'loop';
    case 0x0c: // br
    case 0x0d: // br_if
    case 0x10: // call
    case 0x12: // return_call
    case 0x08: // throw
    case 0x09: // rethrow
    case 0x18: // delegate
    case 0x07: // catch
    case 0x20:
    case 0x21:
    case 0x22: // local.*
    case 0x23:
    case 0x24: // global.*
    case 0x25:
    case 0x26: // table.get/set
    case 0xd2: // ref.func
    case 0xd5: // br_on_null
    case 0xd6: // br_on_non_null
    case 0x14: // call_ref
    case 0x15: // return_call_ref
      d.leb();
      return undefined;
    case 0x0e: {
      // br_table
      const n = d.leb();
      for (let i = 0; i <= n; i++) d.leb();
      return undefined;
    }
    case 0x11: // call_indirect
    case 0x13: // return_call_indirect
      d.leb();
      d.leb();
      return undefined;
    case 0x1c: {
      // select t*
      const n = d.leb();
      for (let i = 0; i < n; i++) d.byte();
      return undefined;
    }
    case 0x1f: {
      // try_table
      d.blockType();
      const n = d.leb();
      for (let i = 0; i < n; i++) {
        const kind = d.byte();
        if (kind === 0 || kind === 1) d.leb();
        d.leb();
      }
      return undefined;
    }
    case 0x3f:
    case 0x40: // memory.size / grow
      d.byte();
      return undefined;
    case 0x41: // i32.const
    case 0x42: // i64.const
      d.signedLeb();
      return undefined;
    case 0x43:
      d.skip(4);
      return undefined;
    case 0x44:
      d.skip(8);
      return undefined;
    case 0xd0: // ref.null t
      d.byte();
      return undefined;
    case 0xfc:
      skipFc(d, d.leb());
      return undefined;
    case 0xfd:
      skipSimd(d, d.leb());
      return undefined;
    case 0xfe: {
      const sub = d.leb();
      if (sub === 0x03) d.byte(); // atomic.fence
      else d.memarg();
      return undefined;
    }
    case 0xfb:
      throw new WasmFormatError('metering does not support Wasm GC instructions (set limits.callback_cpu to 0 for this module)');
    default:
      if (op >= 0x28 && op <= 0x3e) d.memarg();
      return undefined;
  }
}

function skipFc(d: Decoder, sub: number): void {
  if (sub <= 7) return; // saturating truncations
  switch (sub) {
    case 8: // memory.init
      d.leb();
      d.leb();
      return;
    case 9: // data.drop
    case 13: // elem.drop
    case 11: // memory.fill
    case 15: // table.grow
    case 16: // table.size
    case 17: // table.fill
      d.leb();
      return;
    case 10: // memory.copy
    case 12: // table.init
    case 14: // table.copy
      d.leb();
      d.leb();
      return;
    default:
      throw new WasmFormatError(`unknown instruction 0xfc ${sub}`);
  }
}

function skipSimd(d: Decoder, sub: number): void {
  if (sub <= 11 || sub === 92 || sub === 93) return d.memarg(); // loads/stores, load32/64_zero
  if (sub === 12 || sub === 13) return d.skip(16); // v128.const, i8x16.shuffle
  if (sub >= 21 && sub <= 34) return d.skip(1); // extract/replace lane
  if (sub >= 84 && sub <= 91) {
    d.memarg();
    return d.skip(1); // load/store lane
  }
}

const I64_SUB = 0x7d;
const I64_LT_S = 0x53;

/** The charge sequence: fuel -= cost; if (fuel < 0) unreachable. Stack-neutral. */
function charge(global: number, cost: number): number[] {
  const g = u32Bytes(global);
  const c = signedLeb64(cost);
  return [0x23, ...g, 0x42, ...c, I64_SUB, 0x24, ...g, 0x23, ...g, 0x42, 0x00, I64_LT_S, 0x04, 0x40, 0x00, 0x0b];
}

function signedLeb64(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/**
 * Inserts fuel charges at every loop header and at the entry of every function that calls. A
 * loop header charges the number of instructions in the loop body outside nested loops (so fuel
 * tracks work done, not just iterations); a function entry charges 1 + its instructions outside
 * loops. A function that neither loops nor calls runs a bounded number of instructions each time
 * it is entered, and it is entered only from code that is charged (a loop or a calling function),
 * so it goes uncharged: unbounded work — a loop, or recursion, which needs a call — always burns
 * fuel, and small helpers (comparators, accessors) cost nothing extra.
 */
export function meterModule(bytes: Uint8Array, info: ModuleInfo = inspectModule(bytes)): MeteredModule {
  if (info.exports.some((e) => e.name === FUEL_EXPORT || e.name === START_EXPORT)) throw new WasmFormatError(`the module already exports ${FUEL_EXPORT} or ${START_EXPORT}`);
  let startFunction: number | undefined;
  const startSec = info.sections.find((s) => s.id === 8);
  if (startSec) startFunction = new Decoder(bytes, startSec.payload, startSec.end).leb();
  const addedExports = startFunction === undefined ? 1 : 2;
  const importedGlobals = info.imports.filter((i) => i.kind === 'global').length;
  let definedGlobals = 0;
  const globalSec = info.sections.find((s) => s.id === 6);
  if (globalSec) {
    const d = new Decoder(bytes, globalSec.payload, globalSec.end);
    definedGlobals = d.leb();
  }
  const fuelGlobal = importedGlobals + definedGlobals;
  const out = new Bytes();
  const runs: Run[] = [];
  const copy = (from: number, to: number) => {
    if (to <= from) return;
    runs.push({ metered: out.out.length, original: from, length: to - from });
    for (let i = from; i < to; i++) out.out.push(bytes[i]!);
  };
  out.push(...bytes.subarray(0, 8));
  const ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };
  let wroteGlobal = false;
  let wroteExport = false;
  const newGlobal = [0x7e, 0x01, 0x42, 0x00, 0x0b];
  const newExport = () => {
    const e = new Bytes();
    e.name(FUEL_EXPORT);
    e.push(0x03);
    e.u32(fuelGlobal);
    if (startFunction !== undefined) {
      e.name(START_EXPORT);
      e.push(0x00);
      e.u32(startFunction);
    }
    return e.out;
  };
  const emitSection = (id: number, payload: number[]) => {
    out.push(id);
    out.u32(payload.length);
    for (const x of payload) out.out.push(x);
  };
  const ensureBefore = (rank: number) => {
    if (!wroteGlobal && rank > ORDER[6]!) {
      emitSection(6, [...u32Bytes(1), ...newGlobal]);
      wroteGlobal = true;
    }
    if (!wroteExport && rank > ORDER[7]!) {
      emitSection(7, [...u32Bytes(addedExports), ...newExport()]);
      wroteExport = true;
    }
  };
  for (const s of info.sections) {
    if (s.id !== 0) ensureBefore(ORDER[s.id] ?? 0);
    if (s.id === 6) {
      const d = new Decoder(bytes, s.payload, s.end);
      const n = d.leb();
      const p = [...u32Bytes(n + 1)];
      for (let i = d.pos; i < s.end; i++) p.push(bytes[i]!);
      p.push(...newGlobal);
      emitSection(6, p);
      wroteGlobal = true;
    } else if (s.id === 7) {
      const d = new Decoder(bytes, s.payload, s.end);
      const n = d.leb();
      const p = [...u32Bytes(n + addedExports)];
      for (let i = d.pos; i < s.end; i++) p.push(bytes[i]!);
      p.push(...newExport());
      emitSection(7, p);
      wroteExport = true;
    } else if (s.id === 8) {
      // dropped: the start function is exported as START_EXPORT instead
    } else if (s.id === 10) {
      meterCode(bytes, s.payload, s.end, fuelGlobal, out, runs);
    } else {
      copy(s.start, s.end);
    }
  }
  ensureBefore(Number.MAX_SAFE_INTEGER);
  const result = Uint8Array.from(out.out);
  return {
    bytes: result,
    toOriginalOffset(offset: number): number | undefined {
      let lo = 0;
      let hi = runs.length - 1;
      let best: Run | undefined;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (runs[mid]!.metered <= offset) {
          best = runs[mid];
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      if (!best) return undefined;
      // Inside an inserted charge: attribute it to the instruction that follows it.
      return offset < best.metered + best.length ? best.original + (offset - best.metered) : best.original + best.length;
    },
  };
}

function meterCode(bytes: Uint8Array, start: number, end: number, fuelGlobal: number, out: Bytes, runs: Run[]): void {
  const d = new Decoder(bytes, start, end);
  const count = d.leb();
  const bodies: number[][] = [];
  const bodyRuns: { offset: number; original: number; length: number }[][] = [];
  for (let f = 0; f < count; f++) {
    const size = d.leb();
    const bodyStart = d.pos;
    const bodyEnd = bodyStart + size;
    const fd = new Decoder(bytes, bodyStart, bodyEnd);
    for (let n = fd.leb(); n > 0; n--) {
      fd.leb();
      fd.byte();
    }
    const codeStart = fd.pos;
    // Pass 1: instruction offsets, loop starts and per-loop instruction counts.
    const loopAt: number[] = []; // offset just after the loop's blocktype
    const loopCost: number[] = [];
    const stack: { loop: number | undefined }[] = [{ loop: undefined }];
    let entryCost = 1;
    let calls = false;
    let innermostLoop: number | undefined;
    while (fd.pos < bodyEnd) {
      const op = fd.byte();
      const kind = skipImmediates(fd, op);
      if (op >= 0x10 && op <= 0x15) calls = true; // call, call_indirect, return_call(_indirect), call_ref, return_call_ref
      if (innermostLoop !== undefined) loopCost[innermostLoop]!++;
      else entryCost++;
      if (op === 0x02 || op === 0x04 || op === 0x06 || op === 0x1f) stack.push({ loop: undefined });
      else if (kind === 'loop') {
        loopAt.push(fd.pos);
        loopCost.push(0);
        stack.push({ loop: loopAt.length - 1 });
        innermostLoop = loopAt.length - 1;
      } else if (op === 0x0b || op === 0x18) {
        // end, or delegate (which closes its try)
        stack.pop();
        innermostLoop = undefined;
        for (let i = stack.length - 1; i >= 0; i--) {
          if (stack[i]!.loop !== undefined) {
            innermostLoop = stack[i]!.loop;
            break;
          }
        }
      }
    }
    // Pass 2: copy with charges inserted.
    const body: number[] = [];
    const localRuns: { offset: number; original: number; length: number }[] = [];
    const copyRun = (from: number, to: number) => {
      if (to <= from) return;
      localRuns.push({ offset: body.length, original: from, length: to - from });
      for (let i = from; i < to; i++) body.push(bytes[i]!);
    };
    copyRun(bodyStart, codeStart);
    if (calls) body.push(...charge(fuelGlobal, entryCost));
    let from = codeStart;
    for (let i = 0; i < loopAt.length; i++) {
      copyRun(from, loopAt[i]!);
      body.push(...charge(fuelGlobal, Math.max(1, loopCost[i]!)));
      from = loopAt[i]!;
    }
    copyRun(from, bodyEnd);
    bodies.push(body);
    bodyRuns.push(localRuns);
    d.pos = bodyEnd;
  }
  const payload = new Bytes();
  payload.u32(count);
  const bodyOffsets: number[] = [];
  for (const b of bodies) {
    payload.u32(b.length);
    bodyOffsets.push(payload.out.length);
    for (const x of b) payload.out.push(x);
  }
  out.push(10);
  out.u32(payload.out.length);
  const payloadStart = out.out.length;
  for (const x of payload.out) out.out.push(x);
  bodies.forEach((_, i) => {
    for (const r of bodyRuns[i]!) runs.push({ metered: payloadStart + bodyOffsets[i]! + r.offset, original: r.original, length: r.length });
  });
}
