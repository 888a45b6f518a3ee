// Calibrates fuel (metering units) against CPU time once per process, so budgets can be given as durations.
import { meterModule, FUEL_EXPORT } from './meter.js';

// (func (export "run") (param i32) (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))
const CALIBRATION_MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x72, 0x75,
  0x6e, 0x00, 0x00, 0x0a, 0x10, 0x01, 0x0e, 0x00, 0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x0b,
]);

/** Used when calibration cannot run or measures nonsense; measured on the development machine (Node 20, x86-64). */
export const DEFAULT_FUEL_PER_MS = 8_000_000;

/** Calibrations outside this range are taken as broken measurements (DEFAULT_FUEL_PER_MS is used). */
const PLAUSIBLE = { min: 500_000, max: 100_000_000 } as const;

let calibrated: number | undefined;

/**
 * Fuel units one millisecond of Wasm CPU burns, measured on a tight metered loop: the median of
 * 5 runs of ~5 ms after 2 warm-up runs (so the loop runs tiered up, as long-running code does).
 * Time is the process's CPU time (process.cpuUsage), not wall time: on a busy machine wall time
 * includes the time other processes held the core, which made the rate vary 20-fold between runs.
 * On the development machine this loop burns 17–21 million units per CPU ms, a memory loop about
 * 16 million, code that calls a lot 6–13 million, and code V8 has not tiered up yet 3–4 million:
 * runaway code is stopped after its budget to about 5 times its budget of CPU, never before —
 * a guard against code that does not stop, not a latency bound.
 */
export function fuelPerMs(): number {
  if (calibrated !== undefined) return calibrated;
  try {
    const metered = meterModule(CALIBRATION_MODULE);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(metered.bytes));
    const run = instance.exports.run as (n: number) => void;
    const fuel = instance.exports[FUEL_EXPORT] as WebAssembly.Global;
    const iterations = 5_000_000;
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      fuel.value = 1n << 60n;
      const before = process.cpuUsage();
      run(iterations);
      const cpu = process.cpuUsage(before);
      const us = cpu.user + cpu.system;
      const used = Number((1n << 60n) - (fuel.value as bigint));
      if (i >= 2 && us > 0) samples.push((used / us) * 1000);
    }
    samples.sort((a, b) => a - b);
    const rate = Math.round(samples[samples.length >> 1] ?? 0);
    calibrated = rate >= PLAUSIBLE.min && rate <= PLAUSIBLE.max ? rate : DEFAULT_FUEL_PER_MS;
  } catch {
    calibrated = DEFAULT_FUEL_PER_MS;
  }
  return calibrated;
}

/** The fuel for a per-callback budget of `ms` milliseconds (0: unmetered). */
export function fuelForBudget(ms: number): bigint {
  return ms <= 0 ? 0n : BigInt(Math.ceil(ms * fuelPerMs()));
}
