// Validates and compiles modules: ABI checks, import signatures, memory cap, CPU metering; cached by content hash.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WeftError } from '../../lib/errors.js';
import { ABI_MARKERS, type AbiVersion } from './abi.js';
import { hostSignature } from './host-signatures.js';
import { capMemory, formatFuncType, inspectModule, sameFuncType, WasmFormatError, type ModuleInfo } from './module-inspect.js';
import { meterModule, type MeteredModule } from './meter.js';
import { WasmSourceMap, type SourcePosition } from './source-map.js';

export const PAGE = 65536;

/** A module ready to instantiate, with what the host learned about it. */
export class CompiledModule {
  constructor(
    readonly sha256: string,
    /** Facts about the original bytes (offsets in traps are mapped back to them). */
    readonly info: ModuleInfo,
    readonly abi: AbiVersion,
    readonly module: WebAssembly.Module,
    readonly maxMemoryPages: number,
    /** Maps offsets of the compiled (capped, maybe metered) bytes back to the original ones. */
    private readonly offsets: MeteredModule | undefined,
    private readonly sourceMap: WasmSourceMap | undefined,
    private readonly fuelPerMs: number,
    /** True when the module was rewritten with CPU metering. */
    readonly isMetered: boolean,
  ) {}

  /** Source position of a byte offset of the running module, when a source map is present. */
  sourcePosition(_fnIndex: number, offset: number): SourcePosition | undefined {
    if (!this.sourceMap) return undefined;
    const original = this.offsets ? this.offsets.toOriginalOffset(offset) : offset;
    return original === undefined ? undefined : this.sourceMap.lookup(original);
  }

  cpuBudgetLabel(fuel: bigint): string {
    return this.fuelPerMs > 0 ? `${Math.round(Number(fuel) / this.fuelPerMs)}ms` : `${fuel} fuel`;
  }
}

export interface CompileOptions {
  /** Memory cap in bytes (rounded down to whole pages). */
  readonly memoryBytes: number;
  /** Insert CPU metering (callback_cpu > 0). */
  readonly metered: boolean;
  /** Fuel units per ms of CPU (see calibrateFuel); only for log messages. */
  readonly fuelPerMs: number;
  /** Source map JSON (AssemblyScript's <file>.map), if found next to the module. */
  readonly sourceMap?: string;
}

function loadError(message: string, cause?: unknown): WeftError {
  return new WeftError('wasm_module_invalid', message, cause === undefined ? undefined : { cause });
}

/**
 * Checks what the host requires of a module and returns its ABI version: an ABI marker export,
 * an allocator (proxy_on_memory_allocate or malloc), a memory, and imports that all resolve to
 * host functions with the exact signature (V8 does not check JS imports' signatures, so we do).
 */
export function validateModule(info: ModuleInfo): AbiVersion {
  const exportNames = new Set(info.exports.map((e) => e.name));
  const abis = Object.keys(ABI_MARKERS).filter((m) => exportNames.has(m));
  if (abis.length === 0) throw loadError('the module exports no proxy-wasm ABI version marker (proxy_abi_version_0_2_1, 0_2_0 or 0_1_0): it was not built with a proxy-wasm SDK');
  const abi = ABI_MARKERS[abis.sort().at(-1)!]!;
  if (!exportNames.has('proxy_on_memory_allocate') && !exportNames.has('malloc')) {
    throw loadError('the module exports no allocator (proxy_on_memory_allocate or malloc)');
  }
  const memImport = info.imports.find((i) => i.kind === 'memory');
  if (!info.exports.some((e) => e.kind === 'memory') && !memImport) throw loadError('the module neither exports nor imports a memory');
  for (const imp of info.imports) {
    const what = `${imp.module}.${imp.name}`;
    if (imp.kind === 'memory') {
      if (imp.module !== 'env' || imp.name !== 'memory') throw loadError(`the module imports an unknown memory ${what}`);
      if (imp.memory?.shared || imp.memory?.memory64) throw loadError(`the imported memory ${what} is shared or 64-bit, which the host does not support`);
      continue;
    }
    if (imp.kind !== 'function') throw loadError(`the module imports ${imp.kind} ${what}, which the host does not provide`);
    const expected = hostSignature(imp.module, imp.name);
    if (!expected) throw loadError(`the module imports ${what}, which the host does not provide`);
    if (!sameFuncType(expected, imp.type!)) {
      throw loadError(`the module imports ${what} with signature ${formatFuncType(imp.type!)}, but the host's is ${formatFuncType(expected)}`);
    }
  }
  if (info.definedMemory?.shared || info.definedMemory?.memory64) throw loadError('shared and 64-bit memories are not supported');
  return abi;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Validates, caps the memory, meters and compiles. Throws a WeftError naming what is wrong. */
export async function compileModule(bytes: Uint8Array, options: CompileOptions): Promise<CompiledModule> {
  let info: ModuleInfo;
  try {
    info = inspectModule(bytes);
  } catch (e) {
    throw loadError(`the module is not valid WebAssembly: ${(e as Error).message}`, e);
  }
  const abi = validateModule(info);
  const maxPages = Math.max(1, Math.floor(options.memoryBytes / PAGE));
  let transformed: Uint8Array;
  let metered: MeteredModule | undefined;
  try {
    transformed = capMemory(bytes, info, maxPages);
    if (options.metered) {
      metered = meterModule(transformed);
      transformed = metered.bytes;
    }
  } catch (e) {
    throw loadError(e instanceof WasmFormatError ? e.message : `cannot prepare the module: ${(e as Error).message}`, e);
  }
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(transformed);
  } catch (e) {
    throw loadError(`the module does not compile: ${(e as Error).message}`, e);
  }
  let sourceMap: WasmSourceMap | undefined;
  if (options.sourceMap) {
    try {
      sourceMap = new WasmSourceMap(options.sourceMap);
    } catch {
      sourceMap = undefined;
    }
  }
  // The cap only rewrites the memory section, which precedes the code: code offsets shift by a constant.
  const capShift = memoryCapShift(bytes, info, maxPages);
  const wrapped: MeteredModule | undefined = metered
    ? {
        bytes: metered.bytes,
        toOriginalOffset: (o) => {
          const capped = metered!.toOriginalOffset(o);
          return capped === undefined ? undefined : capped - capShift;
        },
      }
    : capShift !== 0
      ? { bytes: transformed, toOriginalOffset: (o) => o - capShift }
      : undefined;
  return new CompiledModule(sha256Hex(bytes), info, abi, module, maxPages, wrapped, sourceMap, options.fuelPerMs, metered !== undefined);
}

/** How many bytes capMemory added before the code section (offsets after it shift by this). */
function memoryCapShift(bytes: Uint8Array, info: ModuleInfo, maxPages: number): number {
  try {
    return capMemory(bytes, info, maxPages).length - bytes.length;
  } catch {
    return 0;
  }
}

/** Where module bytes come from. */
export interface ModuleSource {
  readonly file?: string;
  readonly sha256?: string;
}

export interface ModuleResolverOptions {
  /** Directory of cached modules named `<sha256>.wasm` (modules given only by hash). */
  readonly cacheDir?: string;
  /** Fetches a module by hash (e.g. from the control plane) when it is not in the cache directory. */
  readonly resolve?: (sha256: string) => Promise<Uint8Array | undefined>;
}

/** Reads a module's bytes (and source map) and checks its hash. Throws a WeftError when it cannot. */
export async function loadModuleBytes(src: ModuleSource, options: ModuleResolverOptions = {}): Promise<{ bytes: Uint8Array; sourceMap?: string }> {
  let bytes: Uint8Array | undefined;
  let sourceMap: string | undefined;
  if (src.file !== undefined) {
    try {
      bytes = await readFile(src.file);
    } catch (e) {
      throw loadError(`cannot read module file ${src.file}: ${(e as Error).message}`, e);
    }
    sourceMap = await readSourceMap(src.file, bytes);
  } else if (src.sha256 !== undefined) {
    if (options.cacheDir) {
      const path = join(options.cacheDir, `${src.sha256}.wasm`);
      bytes = await readFile(path).catch(() => undefined);
      if (bytes) sourceMap = await readSourceMap(path, bytes);
    }
    if (!bytes && options.resolve) bytes = await options.resolve(src.sha256);
    if (!bytes) throw loadError(`no module with sha256 ${src.sha256} in the module cache${options.cacheDir ? ` (${options.cacheDir})` : ''}`);
  } else {
    throw loadError('the plugin names no module (file or sha256)');
  }
  if (src.sha256 !== undefined) {
    const actual = sha256Hex(bytes);
    if (actual !== src.sha256) throw loadError(`module ${src.file ?? src.sha256} has sha256 ${actual}, not the configured ${src.sha256}`);
  }
  return sourceMap === undefined ? { bytes } : { bytes, sourceMap };
}

/** The source map named by the module's sourceMappingURL section, else `<file>.map`, if readable. */
async function readSourceMap(file: string, bytes: Uint8Array): Promise<string | undefined> {
  let url: string | undefined;
  try {
    url = inspectModule(bytes).sourceMappingURL;
  } catch {
    return undefined;
  }
  const candidates: string[] = [];
  if (url && !/^[a-z]+:/i.test(url)) candidates.push(join(file, '..', url));
  candidates.push(`${file}.map`);
  for (const c of candidates) {
    const text = await readFile(c, 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}
