// Worker thread body of compileWithSdk: runs AssemblyScript 0.17.14's asc in its own isolate.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

interface Asc017 {
  ready: Promise<void>;
  main(argv: string[], options: Record<string, unknown>, callback: (err: Error | null) => number): number;
}

const { source, args, root } = workerData as { source: string; args: string[]; root: string };
const require = createRequire(import.meta.url);

async function build(): Promise<{ binary: Uint8Array; sourceMap: string | undefined }> {
  const asc = require('assemblyscript-compat/cli/asc') as Asc017;
  await asc.ready;
  const outputs = new Map<string, Uint8Array | string>();
  const diagnostics: string[] = [];
  const sink = { write: (s: string | Uint8Array) => void diagnostics.push(String(s)) };
  let failure: Error | null = null;
  asc.main(
    ['assembly/index.ts', '--baseDir', root, '--binaryFile', 'build/out.wasm', '--noColors', ...args],
    {
      readFile: (name: string, dir: string) => {
        if (name.replace(/\\/g, '/') === 'assembly/index.ts' && dir === root) return source;
        try {
          return readFileSync(join(dir, name), 'utf8');
        } catch {
          return null;
        }
      },
      writeFile: (name: string, contents: Uint8Array | string) => void outputs.set(name.replace(/\\/g, '/'), contents),
      listFiles: () => [],
      stdout: sink,
      stderr: sink,
    },
    (err) => {
      failure = err;
      return err ? 1 : 0;
    },
  );
  if (failure) throw new Error(`asc 0.17 failed: ${(failure as Error).message}\n${diagnostics.join('')}`);
  const binary = outputs.get('build/out.wasm');
  if (!(binary instanceof Uint8Array)) throw new Error(`asc 0.17 produced no binary\n${diagnostics.join('')}`);
  const map = outputs.get('build/out.wasm.map');
  return { binary, sourceMap: map === undefined ? undefined : typeof map === 'string' ? map : Buffer.from(map).toString('utf8') };
}

build().then(
  (r) => parentPort!.postMessage(r),
  (e: Error) => parentPort!.postMessage({ error: e.stack ?? e.message }),
);
