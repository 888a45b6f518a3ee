// Builds filters written with @solo-io/proxy-runtime 0.1.8 (a public proxy-wasm SDK) with the AssemblyScript version it needs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/test/wasm/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const require = createRequire(import.meta.url);


/**
 * The SDK's own hello-world filter, unmodified: the TypeScript block its README tells users to
 * copy into assembly/index.ts.
 */
export function helloWorldSource(): string {
  const readme = readFileSync(require.resolve('@solo-io/proxy-runtime/README.md'), 'utf8');
  const at = readme.indexOf('Copy this into assembly/index.ts');
  if (at < 0) throw new Error('the SDK README no longer has its hello-world section');
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error('no TypeScript block after "Copy this into assembly/index.ts"');
  return m[1]!;
}

/** The build variants the SDK's package.json defines (asbuild:untouched and asbuild:optimized). */
export const SDK_BUILDS = {
  untouched: ['--use', 'abort=abort_proc_exit', '--debug', '--sourceMap'],
  optimized: ['--use', 'abort=abort_proc_exit', '--sourceMap', '--optimize'],
} as const;

/**
 * Compiles `source` as assembly/index.ts of a project that depends on @solo-io/proxy-runtime,
 * with AssemblyScript 0.17.14 (installed as assemblyscript-compat: the SDK uses the ARC runtime's
 * __retain/__release and bindings/wasi_unstable, which AssemblyScript 0.18 removed). It runs in a
 * worker thread: the two compilers define the same non-configurable globals and cannot share one.
 */
export function compileWithSdk(source: string, args: readonly string[]): Promise<{ binary: Uint8Array; sourceMap: string | undefined }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./compat-sdk-build.js', import.meta.url), { workerData: { source, args: [...args], root: REPO_ROOT } });
    worker.once('message', (m: { binary?: Uint8Array; sourceMap?: string; error?: string }) => {
      if (m.error !== undefined || !m.binary) reject(new Error(m.error ?? 'no binary'));
      else resolve({ binary: m.binary, sourceMap: m.sourceMap });
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`the compiler thread exited with ${code}`)));
  });
}
