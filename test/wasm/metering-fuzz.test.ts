// Fuzzes the metering rewriter with random programs: the metered twin validates, computes the same, traps at the same instruction, and burns fuel exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wat } from './helpers.js';
import { callBoth, fuelBurned, outcomeOf, Twin } from './metering-twin.js';
import { randomProgram, rng } from './wasm-gen.js';

const SEED = Number(process.env.WEFT_FUZZ_SEED ?? 0x5eed);
const COUNT = Number(process.env.WEFT_FUZZ_COUNT ?? 120);

test(`${COUNT} random programs (seed ${SEED}): same results, traps at the same original offset, same memory`, async () => {
  const inputs = rng(SEED ^ 0xabcdef);
  let traps = 0;
  let calls = 0;
  for (let i = 0; i < COUNT; i++) {
    const seed = SEED + i;
    const text = randomProgram(seed);
    const bytes = await wat(text, { simd: true, sat_float_to_int: true });
    const twin = new Twin(bytes);
    const inst = twin.instantiate();
    const args: [number, number][] = [[0, 0], [1, 2], [-1, 65535], [65533, 7]];
    for (let k = 0; k < 4; k++) args.push([(inputs() * 2 ** 32) | 0, (inputs() * 2 ** 32) | 0]);
    for (const [a, b] of args) {
      let out;
      try {
        out = callBoth(twin, inst, 'run', [a, b]);
      } catch (e) {
        throw new Error(`program seed ${seed}, run(${a}, ${b}): ${(e as Error).message}\n${text}`, { cause: e });
      }
      calls++;
      if (out.error) traps++;
    }
  }
  // the generator must exercise both paths, or this test proves little
  assert.ok(traps > 0 && traps < calls, `${traps} of ${calls} calls trapped`);
});

test(`fuel is exact: a call that burns C units passes with C and stops with C - 1 (seed ${SEED})`, async () => {
  let checked = 0;
  for (let i = 0; i < Math.min(COUNT, 60); i++) {
    const seed = SEED + 10_000 + i;
    const twin = new Twin(await wat(randomProgram(seed), { simd: true, sat_float_to_int: true }));
    const args = [seed & 0xffff, seed >>> 3];
    const { burned, outcome } = fuelBurned(twin, 'run', args);
    if (outcome.error) continue;
    assert.ok(burned > 0n);
    const exact = twin.instantiate();
    exact.fuel.value = burned;
    const ok = outcomeOf(() => (exact.metered.exports.run as (a: number, b: number) => number)(args[0]!, args[1]!));
    assert.deepEqual(ok, outcome, `seed ${seed}: passes with exactly ${burned}`);
    assert.equal(exact.fuel.value, 0n);
    const short = twin.instantiate();
    short.fuel.value = burned - 1n;
    const stopped = outcomeOf(() => (short.metered.exports.run as (a: number, b: number) => number)(args[0]!, args[1]!));
    assert.match(stopped.error ?? '', /RuntimeError: unreachable/, `seed ${seed}: stops with ${burned - 1n}`);
    assert.ok((short.fuel.value as bigint) < 0n);
    checked++;
  }
  assert.ok(checked >= 20, `only ${checked} programs ran to completion`);
});
