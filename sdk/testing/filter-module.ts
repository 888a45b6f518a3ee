// A built filter for the harness: read (bytes, a path, or a build result) and compiled once by the proxy's module loader.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compileModule, fuelPerMs, type CompiledModule } from '../../proxy/wasm/index.js';
import { FilterHarness, type HarnessOptions } from './harness.js';

const MIB = 1024 * 1024;

/** A module and its source map, as `buildFilter` returns them. */
export interface BuiltModule {
  readonly wasm: Uint8Array;
  readonly sourceMap?: string | undefined;
}

/** Where a filter comes from: its bytes, a path or file URL of a `.wasm` (its `.map` is read when present), or a build result. */
export type FilterSource = Uint8Array | string | URL | BuiltModule;

function isBuilt(s: FilterSource): s is BuiltModule {
  return typeof s === 'object' && !(s instanceof Uint8Array) && !(s instanceof URL);
}

async function readSource(source: FilterSource): Promise<BuiltModule> {
  if (source instanceof Uint8Array) return { wasm: source };
  if (isBuilt(source)) return source;
  const path = source instanceof URL ? fileURLToPath(source) : source;
  const wasm = new Uint8Array(await readFile(path));
  let sourceMap: string | undefined;
  try {
    sourceMap = await readFile(`${path}.map`, 'utf8');
  } catch {
    sourceMap = undefined;
  }
  return { wasm, sourceMap };
}

/**
 * A built filter, validated and compiled once by the proxy's module loader (the same checks a
 * Snapshot's plugin gets: ABI marker, allocator, import signatures). `start` runs it in a fresh
 * VM as many times as a test needs.
 *
 * @example
 * const filter = await loadFilter(new URL('../build/filter.wasm', import.meta.url));
 * const h = await filter.start({ configuration: { header: 'x-hello' } });
 */
export class FilterModule {
  private readonly compiled = new Map<string, Promise<CompiledModule>>();

  constructor(readonly source: BuiltModule) {}

  /** @internal */
  compile(memoryBytes: number, metered: boolean): Promise<CompiledModule> {
    const key = `${memoryBytes}:${metered}`;
    let p = this.compiled.get(key);
    if (!p) {
      p = compileModule(this.source.wasm, {
        memoryBytes,
        metered,
        fuelPerMs: metered ? fuelPerMs() : 0,
        ...(this.source.sourceMap ? { sourceMap: this.source.sourceMap } : {}),
      });
      this.compiled.set(key, p);
    }
    return p;
  }

  /** Starts the plugin in a new VM (on_context_create, on_vm_start, on_configure). Rejects with PluginStartError if it refuses. */
  start(options: HarnessOptions = {}): Promise<FilterHarness> {
    return FilterHarness.start(this, options);
  }
}

/** Reads and compiles a filter (throws a WeftError naming what is wrong with the module). */
export async function loadFilter(source: FilterSource): Promise<FilterModule> {
  const m = new FilterModule(await readSource(source));
  await m.compile(64 * MIB, false);
  return m;
}

