// Enforces the import direction of ARCHITECTURE.md: lib <- api <- proxy, controlplane (never each other) <- cli.
// sdk/ (AssemblyScript) imports nothing of the host; sdk/testing uses proxy/wasm; plugins use only sdk/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Layer of a repository-relative path, or undefined for files outside the checked tree. */
function layerOf(rel) {
  const parts = rel.split(sep);
  if (parts[0] === 'sdk') return parts[1] === 'testing' ? 'sdk/testing' : 'sdk';
  if (parts[0] === 'plugins') return parts[2] === 'test' ? 'plugin-test' : 'plugin';
  if (parts[0] === 'proxy' && parts[1] === 'wasm') return 'proxy/wasm';
  return parts[0];
}

/** Which layers each layer may import. */
const allowed = {
  lib: ['lib'],
  api: ['lib', 'api'],
  proxy: ['lib', 'api', 'proxy', 'proxy/wasm'],
  'proxy/wasm': ['lib', 'api', 'proxy', 'proxy/wasm'],
  controlplane: ['lib', 'api', 'controlplane'],
  cli: ['lib', 'api', 'proxy', 'proxy/wasm', 'controlplane', 'sdk/testing', 'cli'],
  'sdk/testing': ['lib', 'api', 'proxy/wasm', 'sdk/testing'],
  sdk: ['sdk'],
  plugin: ['sdk', 'plugin'],
  'plugin-test': ['lib', 'sdk/testing', 'plugin-test', 'test'],
  bench: ['lib', 'api', 'proxy', 'proxy/wasm', 'controlplane', 'sdk/testing', 'cli', 'bench', 'test'],
  test: ['lib', 'api', 'proxy', 'proxy/wasm', 'controlplane', 'sdk/testing', 'cli', 'bench', 'test', 'plugin-test'],
};

const checked = ['lib', 'api', 'proxy', 'controlplane', 'cli', 'sdk', 'plugins', 'bench', 'test'];
const problems = [];

function walk(dir, out) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!['node_modules', 'build', 'dist'].includes(name)) walk(p, out);
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
      out.push(p);
    }
  }
  return out;
}

for (const top of checked) {
  for (const file of walk(join(root, top), [])) {
    const rel = relative(root, file);
    const from = layerOf(rel);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const imp of info.importedFiles) {
      const spec = imp.fileName;
      if (!spec.startsWith('.')) {
        // Packages: AssemblyScript code must not pull host packages.
        if ((from === 'sdk' || from === 'plugin') && !spec.startsWith('@weft/sdk') && !spec.startsWith('as-')) {
          problems.push(`${rel}: AssemblyScript code imports package '${spec}'`);
        }
        continue;
      }
      const target = relative(root, resolve(dirname(file), spec));
      if (target.startsWith('..')) {
        problems.push(`${rel}: import '${spec}' leaves the repository`);
        continue;
      }
      const to = layerOf(target);
      const ok = allowed[from];
      if (ok && !ok.includes(to)) {
        problems.push(`${rel}: ${from} may not import ${to} ('${spec}')`);
      }
      if (from === 'plugin' && to === 'plugin' && target.split(sep)[1] !== rel.split(sep)[1]) {
        problems.push(`${rel}: a plugin may not import another plugin ('${spec}')`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`lint-imports: ${problems.length} import(s) break the layering of ARCHITECTURE.md:`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log('lint-imports: import direction ok');
