// Builds a filter project with the AssemblyScript compiler (asc API, in memory), resolving @weft/sdk, with a content-checked cache.
import asc from 'assemblyscript/asc';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeftError } from '../../lib/errors.js';

/** The Weft installation this module belongs to (dist/sdk/testing/ is three levels below it). */
export const weftRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The SDK shipped with this Weft installation (used when a project has no `@weft/sdk` of its own). */
export const bundledSdk = join(weftRoot, 'sdk');

export type BuildTarget = 'release' | 'debug';

export interface BuildOptions {
  /** `release` (optimized, small) or `debug` (with a source map). Default release. */
  readonly target?: BuildTarget;
  /** The asconfig file, relative to the project. Default `asconfig.json`. */
  readonly config?: string;
  /** Entry files replacing the config's `entries`. */
  readonly entries?: readonly string[];
  /** More asc options; they win over the config's (e.g. `--runtime`, `incremental`). */
  readonly extraArgs?: readonly string[];
  /** Write the outputs under the project (the target's `outFile`, and its `.map`). Default false. */
  readonly write?: boolean;
  /** Cache directory; false turns the cache off. Default: `node_modules/.cache/weft` nearest the project, else the OS temp dir. */
  readonly cache?: string | false;
}

export interface BuildResult {
  readonly wasm: Uint8Array;
  /** The source map (debug builds), JSON text. */
  readonly sourceMap: string | undefined;
  readonly target: BuildTarget;
  /** Where the module goes, relative to the project (`build/filter.wasm`…). */
  readonly outFile: string;
  /** Compiler warnings. */
  readonly warnings: string;
  /** Served from the cache (no compilation). */
  readonly cached: boolean;
}

const PACKAGE = `${sep}node_modules${sep}@weft${sep}sdk${sep}`;
/** Bump when what this file does to asc's output changes: cached builds of older versions are ignored. */
const CACHE_FORMAT = 2;
const DEFAULT_OUT: Record<BuildTarget, string> = { release: 'build/filter.wasm', debug: 'build/filter.debug.wasm' };

interface ConfigFile {
  extends?: string;
  entries?: string[];
  targets?: Record<string, { outFile?: string } | undefined>;
}

/** `@weft/sdk/...` as the project would resolve it, or the bundled SDK's file when it cannot. */
function sdkFallback(absolute: string): string | undefined {
  const at = absolute.lastIndexOf(PACKAGE);
  return at < 0 ? undefined : join(bundledSdk, absolute.slice(at + PACKAGE.length));
}

function canResolve(specifier: string, fromDir: string): boolean {
  try {
    createRequire(join(fromDir, 'noop.js')).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

function cacheDirFor(projectDir: string): string {
  for (let d = resolve(projectDir); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return join(d, 'node_modules', '.cache', 'weft', 'builds');
    if (dirname(d) === d) return join(tmpdir(), 'weft-cache', 'builds');
  }
}

const sha = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

interface CacheEntry {
  /** Every file the compiler asked for, with the sha256 of what it got (null: it did not exist). */
  files: Record<string, string | null>;
  warnings: string;
  hasMap: boolean;
}

async function fileHash(path: string): Promise<string | null> {
  try {
    return sha(await readFile(path));
  } catch {
    return null;
  }
}

async function readCache(dir: string, key: string): Promise<{ wasm: Uint8Array; sourceMap: string | undefined; warnings: string } | undefined> {
  try {
    const entry = JSON.parse(await readFile(join(dir, `${key}.json`), 'utf8')) as CacheEntry;
    for (const [file, hash] of Object.entries(entry.files)) if ((await fileHash(file)) !== hash) return undefined;
    const wasm = new Uint8Array(await readFile(join(dir, `${key}.wasm`)));
    const sourceMap = entry.hasMap ? await readFile(join(dir, `${key}.wasm.map`), 'utf8') : undefined;
    return { wasm, sourceMap, warnings: entry.warnings };
  } catch {
    return undefined;
  }
}

async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

async function writeCache(dir: string, key: string, entry: CacheEntry, wasm: Uint8Array, sourceMap: string | undefined): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await atomicWrite(join(dir, `${key}.wasm`), wasm);
    if (sourceMap !== undefined) await atomicWrite(join(dir, `${key}.wasm.map`), sourceMap);
    await atomicWrite(join(dir, `${key}.json`), JSON.stringify(entry));
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/**
 * Compiles the filter project in `projectDir` with asc (the compiler Weft ships), the way
 * `npx asc --config asconfig.json --target <target>` would. `@weft/sdk` resolves from the
 * project's node_modules, or to the SDK of this Weft installation when the project has none.
 * Results are cached by the content of every file the compiler read, so an unchanged filter
 * builds once per machine.
 *
 * @example
 * const { wasm } = await buildFilter(new URL('..', import.meta.url).pathname);
 * const h = await FilterHarness.load(wasm);
 */
export async function buildFilter(projectDir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const dir = resolve(projectDir);
  const target = options.target ?? 'release';
  const configName = options.config ?? 'asconfig.json';
  const configPath = resolve(dir, configName);
  let configText: string;
  try {
    configText = await readFile(configPath, 'utf8');
  } catch (e) {
    throw new WeftError('plugin_build_failed', `no ${configName} in ${dir}: not a filter project (create one with \`weft plugin new\`)`, { cause: e });
  }
  let config: ConfigFile;
  try {
    config = JSON.parse(configText) as ConfigFile;
  } catch (e) {
    throw new WeftError('plugin_build_failed', `${configPath} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  // A project without its own @weft/sdk extends the bundled SDK's settings instead.
  if (config.extends && !config.extends.startsWith('.') && !isAbsolute(config.extends) && !canResolve(config.extends, dir)) {
    const fallback = sdkFallback(join(dir, 'node_modules', config.extends));
    if (fallback) {
      config = { ...config, extends: fallback };
      configText = JSON.stringify(config);
    }
  }
  const outFile = config.targets?.[target]?.outFile ?? DEFAULT_OUT[target];
  const args = [
    ...(options.entries ?? []),
    '--config', configPath,
    '--target', target,
    '--baseDir', dir,
    '--outFile', outFile,
    '--noColors',
    ...(options.extraArgs ?? []),
  ];

  const cacheDir = options.cache === false ? undefined : (options.cache ?? cacheDirFor(dir));
  const key = sha(JSON.stringify([CACHE_FORMAT, asc.version, dir, args, configText, target]));
  if (cacheDir) {
    const hit = await readCache(cacheDir, key);
    if (hit) {
      if (options.write) await writeOutputs(dir, outFile, hit.wasm, hit.sourceMap);
      return { wasm: hit.wasm, sourceMap: hit.sourceMap, target, outFile, warnings: hit.warnings, cached: true };
    }
  }

  const files: Record<string, string | null> = {};
  const outputs = new Map<string, Uint8Array | string>();
  const stderr: string[] = [];
  const read = async (path: string): Promise<string | null> => {
    try {
      const text = await readFile(path, 'utf8');
      files[path] = sha(text);
      return text;
    } catch {
      files[path] = null;
      return null;
    }
  };
  const result = await asc.main(args, {
    readFile: async (name: string, baseDir: string) => {
      const path = resolve(baseDir, name);
      if (path === configPath) {
        files[path] = sha(await readFile(path));
        return configText;
      }
      const text = await read(path);
      if (text !== null) return text;
      const fallback = sdkFallback(path);
      return fallback ? read(fallback) : null;
    },
    writeFile: async (name: string, contents: Uint8Array | string, baseDir: string) => {
      outputs.set(relative(dir, resolve(baseDir, name)), contents);
    },
    listFiles: async () => [],
    stdout: { write: () => true },
    stderr: { write: (s: string | Uint8Array) => stderr.push(String(s)) > 0 },
  } as never);
  const warnings = stderr.join('');
  if (result.error) {
    throw new WeftError('plugin_build_failed', `asc failed to build ${dir} (${target}): ${result.error.message}\n${warnings}`.trimEnd(), { cause: result.error });
  }
  let wasm: Uint8Array | undefined;
  let sourceMap: string | undefined;
  for (const [name, contents] of outputs) {
    if (name.endsWith('.wasm')) wasm = contents as Uint8Array;
    else if (name.endsWith('.wasm.map')) sourceMap = normalizeSourceMap(String(contents));
  }
  if (!wasm) throw new WeftError('plugin_build_failed', `asc produced no module for ${dir} (${target})`);
  if (cacheDir) await writeCache(cacheDir, key, { files, warnings, hasMap: sourceMap !== undefined }, wasm, sourceMap);
  if (options.write) await writeOutputs(dir, outFile, wasm, sourceMap);
  return { wasm, sourceMap, target, outFile, warnings, cached: false };
}

/**
 * asc names the module's basename as the map's `sourceRoot` ("./filter.debug"), a folder that does
 * not exist; without it, trap locations read `assembly/index.ts:12:5` as a user expects.
 */
function normalizeSourceMap(json: string): string {
  try {
    const map = JSON.parse(json) as { sourceRoot?: string };
    if (map.sourceRoot === undefined || !/^\.\/[^/]+$/.test(map.sourceRoot)) return json;
    delete map.sourceRoot;
    return JSON.stringify(map);
  } catch {
    return json;
  }
}

async function writeOutputs(dir: string, outFile: string, wasm: Uint8Array, sourceMap: string | undefined): Promise<void> {
  const path = resolve(dir, outFile);
  await mkdir(dirname(path), { recursive: true });
  await atomicWrite(path, wasm);
  if (sourceMap !== undefined) await atomicWrite(`${path}.map`, sourceMap);
}
