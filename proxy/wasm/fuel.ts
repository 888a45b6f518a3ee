// Calibrates fuel (metering units) against CPU time once per process, so budgets can be given as durations.
import { meterModule, FUEL_EXPORT } from './meter.js';

// (func (export "run") (param i32) (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))
const CALIBRATION_MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x72, 0x75,
  0x6e, 0x00, 0x00, 0x0a, 0x10, 0x01, 0x0e, 0x00, 0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x0b,
]);

/** Used when calibration cannot run; measured on the development machine (Node 20, x86-64). */
export const DEFAULT_FUEL_PER_MS = 2_000_000;

let calibrated: number | undefined;

/**
 * Fuel units one millisecond of Wasm CPU burns, measured on a tight metered loop (median of 5
 * runs after warm-up). Loops with heavier instructions (memory, calls) burn fewer units per ms, so
 * a budget is accurate to within a small factor, which is what a runaway-loop guard needs.
 */
export function fuelPerMs(): number {
  if (calibrated !== undefined) return calibrated;
  try {
    const metered = meterModule(CALIBRATION_MODULE);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(metered.bytes));
    const run = instance.exports.run as (n: number) => void;
    const fuel = instance.exports[FUEL_EXPORT] as WebAssembly.Global;
    const iterations = 2_000_000;
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      fuel.value = 1n << 60n;
      const t0 = process.hrtime.bigint();
      run(iterations);
      const ns = Number(process.hrtime.bigint() - t0);
      const used = Number((1n << 60n) - (fuel.value as bigint));
      if (i >= 2 && ns > 0) samples.push((used / ns) * 1e6);
    }
    samples.sort((a, b) => a - b);
    calibrated = Math.max(100_000, Math.round(samples[samples.length >> 1]!));
  } catch {
    calibrated = DEFAULT_FUEL_PER_MS;
  }
  return calibrated;
}

/** The fuel for a per-callback budget of `ms` milliseconds (0: unmetered). */
export function fuelForBudget(ms: number): bigint {
  return ms <= 0 ? 0n : BigInt(Math.ceil(ms * fuelPerMs()));
}
