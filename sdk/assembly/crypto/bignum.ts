// Fixed-size unsigned big integers (32-bit limbs, least significant first) and Montgomery
// arithmetic modulo an odd number: what RSA signature verification needs.

/** Limbs of `bytes` read as a big-endian unsigned integer, in `limbs` limbs (null when it does not fit). */
export function limbsFromBytes(bytes: ArrayBuffer, limbs: i32): StaticArray<u32> | null {
  const out = new StaticArray<u32>(limbs);
  const p = changetype<usize>(bytes);
  const n = bytes.byteLength;
  for (let i = 0; i < n; i++) {
    const b = <u32>load<u8>(p + <usize>(n - 1 - i));
    if (b == 0) continue;
    const limb = i >> 2;
    if (limb >= limbs) return null;
    unchecked((out[limb] |= b << (<u32>(i & 3) << 3)));
  }
  return out;
}

/** `x` as `size` big-endian bytes (the top limbs must fit). */
export function limbsToBytes(x: StaticArray<u32>, size: i32): ArrayBuffer {
  const out = new ArrayBuffer(size);
  const p = changetype<usize>(out);
  for (let i = 0; i < size; i++) {
    const limb = i >> 2;
    const b = limb < x.length ? (unchecked(x[limb]) >> (<u32>(i & 3) << 3)) & 0xff : 0;
    store<u8>(p + <usize>(size - 1 - i), <u8>b);
  }
  return out;
}

/** -1, 0 or 1 as a < b, a == b, a > b (same length). */
export function compare(a: StaticArray<u32>, b: StaticArray<u32>): i32 {
  for (let i = a.length - 1; i >= 0; i--) {
    const x = unchecked(a[i]);
    const y = unchecked(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** a -= b (a >= b). */
function subInPlace(a: StaticArray<u32>, b: StaticArray<u32>): void {
  let borrow: i64 = 0;
  for (let i = 0; i < a.length; i++) {
    const d = <i64>unchecked(a[i]) - <i64>unchecked(b[i]) - borrow;
    unchecked((a[i] = <u32>d));
    borrow = d < 0 ? 1 : 0;
  }
}

/**
 * Montgomery arithmetic modulo an odd `n` (R = 2^(32·limbs)): multiplication without division,
 * for modular exponentiation.
 */
export class Montgomery {
  readonly n: StaticArray<u32>;
  readonly k: i32;
  /** -n^-1 mod 2^32. */
  private readonly n0inv: u32;
  /** R^2 mod n, to enter the Montgomery domain. */
  private readonly r2: StaticArray<u32>;
  private readonly t: StaticArray<u32>;

  /** `n` must be odd and have a non-zero top limb. */
  constructor(n: StaticArray<u32>) {
    this.n = n;
    const k = n.length;
    this.k = k;
    this.t = new StaticArray<u32>(k + 2);
    // Newton iteration for n[0]^-1 mod 2^32: each step doubles the correct bits.
    const n0 = unchecked(n[0]);
    let inv: u32 = n0;
    for (let i = 0; i < 5; i++) inv *= 2 - n0 * inv;
    this.n0inv = 0 - inv;
    // R^2 mod n by doubling 1 modulo n, 2·32·k times.
    const x = new StaticArray<u32>(k);
    unchecked((x[0] = 1));
    const bits = 64 * k;
    for (let i = 0; i < bits; i++) {
      let carry: u32 = 0;
      for (let j = 0; j < k; j++) {
        const v = unchecked(x[j]);
        unchecked((x[j] = (v << 1) | carry));
        carry = v >> 31;
      }
      if (carry != 0 || compare(x, n) >= 0) subInPlace(x, n);
    }
    this.r2 = x;
  }

  /** a·b·R^-1 mod n (CIOS). Inputs < n; the result is < n. */
  mul(a: StaticArray<u32>, b: StaticArray<u32>): StaticArray<u32> {
    const k = this.k;
    const n = this.n;
    const t = this.t;
    for (let i = 0; i < k + 2; i++) unchecked((t[i] = 0));
    for (let i = 0; i < k; i++) {
      const bi = <u64>unchecked(b[i]);
      let c: u64 = 0;
      for (let j = 0; j < k; j++) {
        const s = <u64>unchecked(t[j]) + <u64>unchecked(a[j]) * bi + c;
        unchecked((t[j] = <u32>s));
        c = s >> 32;
      }
      let s = <u64>unchecked(t[k]) + c;
      unchecked((t[k] = <u32>s));
      unchecked((t[k + 1] = <u32>(s >> 32)));
      const m = <u64>(unchecked(t[0]) * this.n0inv);
      s = <u64>unchecked(t[0]) + m * <u64>unchecked(n[0]);
      c = s >> 32;
      for (let j = 1; j < k; j++) {
        s = <u64>unchecked(t[j]) + m * <u64>unchecked(n[j]) + c;
        unchecked((t[j - 1] = <u32>s));
        c = s >> 32;
      }
      s = <u64>unchecked(t[k]) + c;
      unchecked((t[k - 1] = <u32>s));
      unchecked((t[k] = unchecked(t[k + 1]) + <u32>(s >> 32)));
    }
    const out = new StaticArray<u32>(k);
    for (let i = 0; i < k; i++) unchecked((out[i] = unchecked(t[i])));
    if (unchecked(t[k]) != 0 || compare(out, n) >= 0) subInPlace(out, n);
    return out;
  }

  /** base^exponent mod n, for `base` < n and a big-endian `exponent` (left-to-right square and multiply). */
  pow(base: StaticArray<u32>, exponent: ArrayBuffer): StaticArray<u32> {
    const k = this.k;
    const one = new StaticArray<u32>(k);
    unchecked((one[0] = 1));
    const b = this.mul(base, this.r2);
    let x = this.mul(one, this.r2);
    const e = changetype<usize>(exponent);
    for (let i = 0; i < exponent.byteLength; i++) {
      const byte = <u32>load<u8>(e + <usize>i);
      for (let bit = 7; bit >= 0; bit--) {
        x = this.mul(x, x);
        if (((byte >> <u32>bit) & 1) != 0) x = this.mul(x, b);
      }
    }
    return this.mul(x, one);
  }
}
