// Runs a module and its metered rewrite side by side and checks they cannot be told apart (results, traps and where, memory, globals).
import assert from 'node:assert/strict';
import { FUEL_EXPORT, meterModule, START_EXPORT, type MeteredModule } from '../../proxy/wasm/meter.js';

/** Fuel that no test workload exhausts. */
export const PLENTY = 1n << 60n;

export interface Outcome {
  readonly value?: unknown;
  readonly error?: string;
  /** Function index and module byte offset of the innermost Wasm frame of a trap. */
  readonly frame?: { readonly fn: number; readonly offset: number };
}

const FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/;

export function outcomeOf(fn: () => unknown): Outcome {
  try {
    return { value: fn() };
  } catch (e) {
    const err = e as Error;
    const m = FRAME.exec(err.stack ?? '');
    return { error: `${err.constructor.name}: ${err.message}`, ...(m ? { frame: { fn: Number(m[1]), offset: parseInt(m[2]!, 16) } } : {}) };
  }
}

export interface TwinInstances {
  readonly plain: WebAssembly.Instance;
  readonly metered: WebAssembly.Instance;
  readonly fuel: WebAssembly.Global;
}

/** A module and its metered rewrite, compiled. `imports` is called once per instance. */
export class Twin {
  readonly metered: MeteredModule;
  readonly plainModule: WebAssembly.Module;
  readonly meteredModule: WebAssembly.Module;

  constructor(
    readonly bytes: Uint8Array,
    private readonly imports: () => WebAssembly.Imports = () => ({}),
  ) {
    this.metered = meterModule(bytes);
    assert.ok(WebAssembly.validate(this.metered.bytes), 'the metered module validates');
    this.plainModule = new WebAssembly.Module(bytes);
    this.meteredModule = new WebAssembly.Module(this.metered.bytes);
    const names = (m: WebAssembly.Module) => WebAssembly.Module.exports(m).map((e) => `${e.name}:${e.kind}`);
    const added = [`${FUEL_EXPORT}:global`, ...(WebAssembly.Module.exports(this.meteredModule).some((e) => e.name === START_EXPORT) ? [`${START_EXPORT}:function`] : [])];
    assert.deepEqual(names(this.meteredModule).sort(), [...names(this.plainModule), ...added].sort(), 'the same exports plus the fuel global (and the hoisted start)');
    assert.deepEqual(WebAssembly.Module.imports(this.meteredModule), WebAssembly.Module.imports(this.plainModule), 'the same imports');
  }

  /** Fresh instances of both; the metered one gets `fuel` (and runs its hoisted start function with it). */
  instantiate(fuel: bigint = PLENTY): TwinInstances & { startOutcome: [Outcome, Outcome] } {
    let plain: WebAssembly.Instance | undefined;
    const plainStart = outcomeOf(() => (plain = new WebAssembly.Instance(this.plainModule, this.imports())));
    const metered = new WebAssembly.Instance(this.meteredModule, this.imports());
    const g = metered.exports[FUEL_EXPORT] as WebAssembly.Global;
    g.value = fuel;
    const start = metered.exports[START_EXPORT] as (() => void) | undefined;
    const meteredStart = outcomeOf(() => start?.());
    return { plain: plain!, metered, fuel: g, startOutcome: [plainStart.error ? plainStart : { value: undefined }, meteredStart] };
  }

  /** The original offset of a metered module's offset (see MeteredModule.toOriginalOffset). */
  original(offset: number): number | undefined {
    return this.metered.toOriginalOffset(offset);
  }

  /** Asserts two outcomes are the same, a trap at the same instruction of the original module. */
  assertSame(plain: Outcome, metered: Outcome, what: string): void {
    assert.deepEqual({ value: metered.value, error: metered.error }, { value: plain.value, error: plain.error }, what);
    if (plain.frame || metered.frame) {
      assert.ok(plain.frame && metered.frame, `${what}: both traps have a Wasm frame`);
      assert.equal(metered.frame.fn, plain.frame.fn, `${what}: same function`);
      assert.equal(this.original(metered.frame.offset), plain.frame.offset, `${what}: the metered trap offset maps back to the original instruction`);
    }
  }
}

/** Calls export `name` on both instances and asserts the same outcome, memory and exported globals. */
export function callBoth(twin: Twin, inst: TwinInstances, name: string, args: readonly unknown[]): Outcome {
  const call = (i: WebAssembly.Instance) => outcomeOf(() => (i.exports[name] as (...a: unknown[]) => unknown)(...args));
  const plain = call(inst.plain);
  const metered = call(inst.metered);
  const what = `${name}(${args.map(String).join(', ')})`;
  twin.assertSame(plain, metered, what);
  assertSameState(inst, what);
  return plain;
}

/** Exported memories and globals (except the fuel) hold the same values. */
export function assertSameState(inst: TwinInstances, what: string): void {
  for (const [name, v] of Object.entries(inst.plain.exports)) {
    const w = inst.metered.exports[name];
    if (v instanceof WebAssembly.Memory) {
      const a = Buffer.from(v.buffer);
      const b = Buffer.from((w as WebAssembly.Memory).buffer);
      assert.ok(a.length === b.length && a.equals(b), `${what}: memory "${name}" differs`);
    } else if (v instanceof WebAssembly.Global) {
      let x: unknown;
      let y: unknown;
      try {
        x = v.value;
        y = (w as WebAssembly.Global).value;
      } catch {
        continue; // v128 globals cannot be read from JS
      }
      assert.deepEqual(y, x, `${what}: global "${name}" differs`);
    }
  }
}

/** Fuel a call burns: the call on a fresh metered instance with plenty of fuel. */
export function fuelBurned(twin: Twin, name: string, args: readonly unknown[]): { burned: bigint; outcome: Outcome } {
  const inst = twin.instantiate();
  const before = inst.fuel.value as bigint;
  const outcome = outcomeOf(() => (inst.metered.exports[name] as (...a: unknown[]) => unknown)(...args));
  return { burned: before - (inst.fuel.value as bigint), outcome };
}
