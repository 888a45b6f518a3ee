// Builds the SDK example filters that examples/wasm-plugins.yaml runs, into examples/plugins/ (or the folder given).
// Usage: npm run build && node scripts/build-example-plugins.mjs [out-dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { buildFilter } = await import(new URL('../dist/sdk/testing/build.js', import.meta.url).href);

/** Example name in sdk/examples/ -> module file name the example config uses. */
export const EXAMPLE_PLUGINS = { 'header-rules': 'header-rules.wasm', 'auth-callout': 'auth-callout.wasm', 'request-counter': 'request-counter.wasm' };

const out = resolve(process.argv[2] ?? join(root, 'examples', 'plugins'));
mkdirSync(out, { recursive: true });
for (const [example, file] of Object.entries(EXAMPLE_PLUGINS)) {
  const { wasm, sourceMap } = await buildFilter(join(root, 'sdk', 'examples', example), { target: 'debug' });
  writeFileSync(join(out, file), wasm);
  if (sourceMap !== undefined) writeFileSync(join(out, `${file}.map`), sourceMap);
  console.log(`built ${join(out, file)} (${wasm.length} bytes)`);
}
