// Compiles AssemblyScript filters with the asc API, in memory, the way a filter project builds:
// its asconfig.json (which extends the SDK's) and a target. `@weft/sdk` resolves to this repo's sdk/.
import asc from 'assemblyscript/asc';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const sdkRoot = join(repoRoot, 'sdk');

export type Target = 'release' | 'debug';

export interface Compiled {
  /** The module bytes. */
  wasm: Uint8Array;
  /** The source map (debug target), as JSON text. */
  sourceMap: string | undefined;
  /** Compiler diagnostics (warnings). */
  stderr: string;
}

const PACKAGE = `${sep}node_modules${sep}@weft${sep}sdk${sep}`;

/** Maps an import of the `@weft/sdk` package to the repository's sdk/ folder. */
function mapPackagePath(absolute: string): string {
  const at = absolute.lastIndexOf(PACKAGE);
  return at < 0 ? absolute : join(sdkRoot, absolute.slice(at + PACKAGE.length));
}

/**
 * Compiles the project whose asconfig.json is `configPath` for `target`. `entries` replace the
 * config's entries when given; `extraArgs` are asc options that take precedence (e.g. --runtime).
 */
export async function compileProject(
  configPath: string,
  target: Target,
  options: { entries?: string[]; extraArgs?: string[] } = {},
): Promise<Compiled> {
  const outputs = new Map<string, Uint8Array | string>();
  const baseDir = dirname(configPath);
  const args = [
    ...(options.entries ?? []),
    '--config', configPath,
    '--target', target,
    '--baseDir', baseDir,
    '--outFile', `build/out.${target}.wasm`,
    '--noColors',
    ...(options.extraArgs ?? []),
  ];
  const stderr: string[] = [];
  const result = await asc.main(args, {
    readFile: async (name: string, dir: string) => {
      try {
        return await readFile(mapPackagePath(resolve(dir, name)), 'utf8');
      } catch {
        return null;
      }
    },
    writeFile: async (name: string, contents: Uint8Array | string) => {
      outputs.set(name, contents);
    },
    listFiles: async () => [],
    stderr: { write: (s: string | Uint8Array) => { stderr.push(String(s)); return true; } } as never,
  } as never);
  if (result.error) {
    throw new Error(`asc failed for ${configPath} (${target}): ${result.error.message}\n${stderr.join('')}`);
  }
  let wasm: Uint8Array | undefined;
  let sourceMap: string | undefined;
  for (const [name, contents] of outputs) {
    if (name.endsWith('.wasm')) wasm = contents as Uint8Array;
    else if (name.endsWith('.wasm.map')) sourceMap = String(contents);
  }
  if (wasm === undefined) throw new Error(`asc produced no module for ${configPath}`);
  return { wasm, sourceMap, stderr: stderr.join('') };
}

/** Compiles the example filter in `sdk/examples/<name>`. */
export function compileExample(name: string, target: Target, extraArgs: string[] = []): Promise<Compiled> {
  return compileProject(join(sdkRoot, 'examples', name, 'asconfig.json'), target, { extraArgs });
}

/** Compiles a test-only AssemblyScript module from `test/sdk/assembly/<file>` with the SDK's options. */
export function compileProbe(file: string, target: Target, extraArgs: string[] = []): Promise<Compiled> {
  const dir = join(repoRoot, 'test', 'sdk', 'assembly');
  return compileProject(join(dir, 'asconfig.json'), target, { entries: [file], extraArgs });
}
