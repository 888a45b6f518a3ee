// FAKE randomness for filter tests: scripted draws first, then a seeded generator, behind WASI random_get.

/**
 * The random source the harness gives the host (WASI `random_get`, which the SDK's `randomBytes`,
 * `randomU64`, `randomF64` and `Math.random`'s seed read). Bytes come from the scripted queue
 * first, then from a seeded xorshift generator, so a test is repeatable.
 *
 * @example
 * const random = new FakeRandom();
 * const h = await FilterHarness.load(wasm, { random });
 * random.queueF64(0.05, 0.95);   // the filter's next two randomF64() calls return these
 */
export class FakeRandom {
  private state: bigint;
  private readonly queue: number[] = [];
  /** Bytes handed out so far. */
  drawnBytes = 0;

  constructor(seed: number = 0x5eed) {
    this.state = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n) || 1n;
  }

  /** Queues raw bytes for the next draws. */
  queueBytes(bytes: Iterable<number>): this {
    for (const b of bytes) this.queue.push(b & 0xff);
    return this;
  }

  /** Queues the 8-byte little-endian draws that make the SDK's `randomU64()` return `values`. */
  queueU64(...values: bigint[]): this {
    for (const v of values) {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, v));
      this.queueBytes(b);
    }
    return this;
  }

  /** Queues draws that make the SDK's `randomF64()` return `values` (each in [0, 1), to 53 bits). */
  queueF64(...values: number[]): this {
    for (const v of values) {
      if (!(v >= 0 && v < 1)) throw new RangeError(`FakeRandom.queueF64: ${v} is not in [0, 1)`);
      this.queueU64(BigInt(Math.floor(v * 2 ** 53)) << 11n);
    }
    return this;
  }

  /** Draws still queued, in bytes. */
  get queued(): number {
    return this.queue.length;
  }

  /** Fills `out` (the host calls this for random_get). */
  fill(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.queue.length > 0 ? this.queue.shift()! : this.nextByte();
    this.drawnBytes += out.length;
  }

  private nextByte(): number {
    let x = this.state;
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    this.state = x;
    return Number(x & 0xffn);
  }
}
