// A seeded generator of random, always-terminating WAT programs for fuzzing the metering rewriter.

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BINOPS = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr', 'eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'le_u', 'ge_s'];
const UNOPS = ['clz', 'ctz', 'popcnt', 'eqz', 'extend8_s', 'extend16_s'];
const LOCALS = ['$a', '$b', '$x', '$y', '$z'];

/**
 * Generates a module with three functions — $leaf (straight-line), $mid (loops, calls $leaf),
 * and the exported `run` (loops up to two deep, br_if/br_table, calls, call_indirect, bulk
 * memory, SIMD, i64 and float conversions) — over one exported page of memory and an exported
 * mutable global. Loops are bounded by counters, so every program terminates; some inputs trap
 * (division by zero, an unmasked load, a guarded unreachable), which the fuzz wants too.
 */
export function randomProgram(seed: number): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  let label = 0;

  function expr(depth: number, fn: 'leaf' | 'mid' | 'run'): string {
    if (depth <= 0 || chance(0.3)) {
      return chance(0.4) ? `(i32.const ${(r() * 2 ** 32) | 0})` : chance(0.2) ? '(global.get $g)' : `(local.get ${pick(LOCALS)})`;
    }
    const e = () => expr(depth - 1, fn);
    const k = Math.floor(r() * 14);
    switch (k) {
      case 0:
      case 1:
      case 2:
        return `(i32.${pick(BINOPS)} ${e()} ${e()})`;
      case 3:
        return `(i32.${pick(UNOPS)} ${e()})`;
      case 4:
        return `(i32.${pick(['load', 'load8_u', 'load16_s'])} offset=${Math.floor(r() * 64)} (i32.and ${e()} (i32.const 0x7ff0)))`;
      case 5:
        return `(select ${e()} ${e()} ${e()})`;
      case 6:
        return '(i32.wrap_i64 (local.get $w))';
      case 7:
        return `(i32.div_u ${e()} (i32.or ${e()} (i32.const 1)))`;
      case 8:
        return chance(0.04) ? `(i32.div_s ${e()} ${e()})` : `(i32.rem_u ${e()} (i32.or ${e()} (i32.const 3)))`;
      case 9:
        return fn === 'leaf' ? e() : `(call $leaf ${e()} ${e()})`;
      case 10:
        return `(i32.trunc_sat_f64_s (f64.mul (f64.convert_i32_s ${e()}) (f64.const 1.5)))`;
      case 11:
        return `(i32x4.extract_lane ${Math.floor(r() * 4)} (i32x4.add (i32x4.splat ${e()}) (v128.const i32x4 1 2 3 4)))`;
      case 12:
        return chance(0.03) ? `(i32.load (local.get $a))` : `(i32.load8_s (i32.and ${e()} (i32.const 0xffff)))`;
      default:
        return fn === 'run' ? `(call_indirect (type $bin) ${e()} ${e()} (i32.and ${e()} (i32.const 1)))` : e();
    }
  }

  function stmts(n: number, depth: number, loops: number, labels: string[], fn: 'leaf' | 'mid' | 'run'): string {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(stmt(depth, loops, labels, fn));
    return out.join('\n');
  }

  function stmt(depth: number, loops: number, labels: string[], fn: 'leaf' | 'mid' | 'run'): string {
    const e = () => expr(3, fn);
    const k = depth <= 0 ? Math.floor(r() * 4) : Math.floor(r() * 13);
    switch (k) {
      case 0:
      case 1:
        return `(local.set ${pick(['$x', '$y', '$z'])} ${e()})`;
      case 2:
        return `(${pick(['i32.store', 'i32.store8', 'i32.store16'])} offset=${Math.floor(r() * 32)} (i32.and ${e()} (i32.const 0x7ff0)) ${e()})`;
      case 3:
        return chance(0.5) ? `(global.set $g ${e()})` : `(local.set $w (i64.add (i64.mul (local.get $w) (i64.const 31)) (i64.extend_i32_u ${e()})))`;
      case 4:
        return `(if ${e()} (then ${stmts(2, depth - 1, loops, labels, fn)}) (else ${stmts(1, depth - 1, loops, labels, fn)}))`;
      case 5: {
        const l = `$b${label++}`;
        return `(block ${l} ${stmts(2, depth - 1, loops, [...labels, l], fn)} (br_if ${l} ${e()}) ${stmts(2, depth - 1, loops, [...labels, l], fn)})`;
      }
      case 6:
      case 7: {
        if (fn === 'leaf' || loops >= 2) return `(local.set $x ${e()})`;
        const c = `$c${loops}`;
        const b = `$b${label++}`;
        const l = `$l${label++}`;
        return `(local.set ${c} (i32.and ${e()} (i32.const 15)))
          (block ${b} (loop ${l}
            (br_if ${b} (i32.eqz (local.get ${c})))
            (local.set ${c} (i32.sub (local.get ${c}) (i32.const 1)))
            ${stmts(2 + Math.floor(r() * 3), depth - 1, loops + 1, [...labels, b], fn)}
            (br ${l})))`;
      }
      case 8: {
        const [t0, t1, t2] = [`$t${label++}`, `$t${label++}`, `$t${label++}`];
        return `(block ${t0} (block ${t1} (block ${t2} (br_table ${t2} ${t1} ${t0} (i32.rem_u ${e()} (i32.const 3))))
          ${stmts(1, depth - 1, loops, [...labels, t0], fn)}) ${stmts(1, depth - 1, loops, [...labels, t0], fn)})`;
      }
      case 9:
        return labels.length > 0 ? `(br_if ${pick(labels)} ${e()})` : `(local.set $y ${e()})`;
      case 10:
        return chance(0.5)
          ? `(memory.fill (i32.and ${e()} (i32.const 0x7ff0)) ${e()} (i32.and ${e()} (i32.const 0xff)))`
          : `(memory.copy (i32.and ${e()} (i32.const 0x7ff0)) (i32.and ${e()} (i32.const 0x7ff0)) (i32.and ${e()} (i32.const 0x1ff)))`;
      case 11:
        return `(v128.store offset=16 (i32.and ${e()} (i32.const 0x7ff0)) (i8x16.add (v128.load (i32.and ${e()} (i32.const 0x7ff0))) (i8x16.splat ${e()})))`;
      default:
        return chance(0.3) ? `(if (i32.eq (i32.and ${e()} (i32.const 63)) (i32.const 7)) (then unreachable))` : `(local.set $z ${e()})`;
    }
  }

  const locals = '(local $x i32) (local $y i32) (local $z i32) (local $w i64) (local $c0 i32) (local $c1 i32) (local $c2 i32)';
  const ret = '(i32.add (local.get $x) (i32.add (local.get $y) (i32.xor (local.get $z) (i32.wrap_i64 (local.get $w)))))';
  const body = (fn: 'leaf' | 'mid' | 'run', n: number, depth: number) => `${locals}\n${stmts(n, depth, 0, [], fn)}\n${ret}`;
  return `(module
  (type $bin (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $g (export "g") (mut i32) (i32.const ${seed | 0}))
  (table 2 funcref)
  (elem (i32.const 0) $leaf $mid)
  (data (i32.const 64) "weft metering fuzz ${seed}")
  (func $leaf (type $bin) (param $a i32) (param $b i32) (result i32) ${body('leaf', 4, 2)})
  (func $mid (type $bin) (param $a i32) (param $b i32) (result i32) ${body('mid', 4, 3)})
  (func (export "run") (type $bin) (param $a i32) (param $b i32) (result i32) ${body('run', 6, 4)}))`;
}
