// Runs every compiled test file under dist/ with Node's built-in test runner.
// Usage: node scripts/test.mjs [substring ...]   (only files whose path contains one of the substrings)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'build') walk(p, out);
    } else if (name.endsWith('.test.js')) {
      out.push(p);
    }
  }
  return out;
}

let files = walk(dist, []).sort();
if (filters.length > 0) {
  files = files.filter((f) => filters.some((s) => relative(dist, f).includes(s)));
}
if (files.length === 0) {
  console.error('test: no test files matched');
  process.exit(1);
}
const concurrency = process.env.WEFT_TEST_CONCURRENCY ?? '2';
const args = [
  '--enable-source-maps',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-timeout=180000',
  ...passthrough,
  ...files.map((f) => relative(root, f)),
];
const res = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, WEFT_TEST: '1' } });
process.exit(res.status ?? 1);
