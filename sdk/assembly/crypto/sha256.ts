// SHA-256 (FIPS 180-4), incremental, in pure AssemblyScript.

// @ts-ignore: decorator
@lazy const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/** Bytes in a SHA-256 digest. */
export const SHA256_SIZE: i32 = 32;
/** Bytes in a SHA-256 block (HMAC pads its key to this). */
export const SHA256_BLOCK: i32 = 64;

/**
 * An incremental SHA-256 hash.
 *
 * @example
 * const h = new Sha256();
 * h.updateString("hello ");
 * h.updateString("world");
 * const digest = h.digest();          // 32 bytes
 */
export class Sha256 {
  private readonly state: StaticArray<u32> = new StaticArray<u32>(8);
  private readonly block: StaticArray<u8> = new StaticArray<u8>(64);
  private readonly w: StaticArray<u32> = new StaticArray<u32>(64);
  private used: i32 = 0;
  private length: u64 = 0;

  constructor() {
    this.reset();
  }

  /** Starts over (the object can be reused). */
  reset(): Sha256 {
    const s = this.state;
    unchecked((s[0] = 0x6a09e667));
    unchecked((s[1] = 0xbb67ae85));
    unchecked((s[2] = 0x3c6ef372));
    unchecked((s[3] = 0xa54ff53a));
    unchecked((s[4] = 0x510e527f));
    unchecked((s[5] = 0x9b05688c));
    unchecked((s[6] = 0x1f83d9ab));
    unchecked((s[7] = 0x5be0cd19));
    this.used = 0;
    this.length = 0;
    return this;
  }

  /** Adds `len` bytes at `ptr`. */
  updateRaw(ptr: usize, len: usize): Sha256 {
    this.length += <u64>len;
    const block = changetype<usize>(this.block);
    let p = ptr;
    let left = len;
    if (this.used > 0) {
      const take = min<usize>(left, <usize>(64 - this.used));
      memory.copy(block + <usize>this.used, p, take);
      this.used += <i32>take;
      p += take;
      left -= take;
      if (this.used < 64) return this;
      this.compress(block);
      this.used = 0;
    }
    while (left >= 64) {
      this.compress(p);
      p += 64;
      left -= 64;
    }
    if (left > 0) {
      memory.copy(block, p, left);
      this.used = <i32>left;
    }
    return this;
  }

  update(data: ArrayBuffer): Sha256 {
    return this.updateRaw(changetype<usize>(data), <usize>data.byteLength);
  }

  /** Adds `s` encoded as UTF-8. */
  updateString(s: string): Sha256 {
    return this.update(String.UTF8.encode(s));
  }

  /** The digest of everything added (the hash cannot be updated afterwards without `reset`). */
  digest(): ArrayBuffer {
    const bits = this.length << 3;
    const block = changetype<usize>(this.block);
    store<u8>(block + <usize>this.used, 0x80);
    this.used++;
    if (this.used > 56) {
      memory.fill(block + <usize>this.used, 0, <usize>(64 - this.used));
      this.compress(block);
      this.used = 0;
    }
    memory.fill(block + <usize>this.used, 0, <usize>(56 - this.used));
    store<u64>(block + 56, bswap<u64>(bits));
    this.compress(block);
    const out = new ArrayBuffer(32);
    const o = changetype<usize>(out);
    for (let i = 0; i < 8; i++) store<u32>(o + (<usize>i << 2), bswap<u32>(unchecked(this.state[i])));
    return out;
  }

  private compress(p: usize): void {
    const w = this.w;
    for (let i = 0; i < 16; i++) unchecked((w[i] = bswap<u32>(load<u32>(p + (<usize>i << 2)))));
    for (let i = 16; i < 64; i++) {
      const a = unchecked(w[i - 15]);
      const b = unchecked(w[i - 2]);
      const s0 = rotr<u32>(a, 7) ^ rotr<u32>(a, 18) ^ (a >>> 3);
      const s1 = rotr<u32>(b, 17) ^ rotr<u32>(b, 19) ^ (b >>> 10);
      unchecked((w[i] = unchecked(w[i - 16]) + s0 + unchecked(w[i - 7]) + s1));
    }
    const s = this.state;
    let a = unchecked(s[0]);
    let b = unchecked(s[1]);
    let c = unchecked(s[2]);
    let d = unchecked(s[3]);
    let e = unchecked(s[4]);
    let f = unchecked(s[5]);
    let g = unchecked(s[6]);
    let h = unchecked(s[7]);
    for (let i = 0; i < 64; i++) {
      const S1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = h + S1 + ch + unchecked(K[i]) + unchecked(w[i]);
      const S0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = S0 + maj;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    unchecked((s[0] += a));
    unchecked((s[1] += b));
    unchecked((s[2] += c));
    unchecked((s[3] += d));
    unchecked((s[4] += e));
    unchecked((s[5] += f));
    unchecked((s[6] += g));
    unchecked((s[7] += h));
  }
}

/**
 * The SHA-256 digest of `data` (32 bytes).
 *
 * @example
 * const digest = sha256(String.UTF8.encode("abc"));
 */
export function sha256(data: ArrayBuffer): ArrayBuffer {
  return new Sha256().update(data).digest();
}

/** The SHA-256 digest of `s` encoded as UTF-8. */
export function sha256String(s: string): ArrayBuffer {
  return new Sha256().updateString(s).digest();
}
