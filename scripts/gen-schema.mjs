// Generates api/weft.schema.json and the field tables of docs/config-reference.md from the Snapshot schema.
// Usage: npm run gen            (builds, then writes both files)
//        node scripts/gen-schema.mjs --check   (exit 1 when a committed file is stale; needs a build)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { renderJsonSchema } = await import(new URL('../dist/api/snapshot/json-schema.js', import.meta.url).href);
const { renderReference } = await import(new URL('../dist/api/snapshot/reference-doc.js', import.meta.url).href);

const check = process.argv.includes('--check');
const schemaPath = `${root}api/weft.schema.json`;
const docPath = `${root}docs/config-reference.md`;

const read = (p) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
};

const schemaText = renderJsonSchema();
const doc = read(docPath);
const reference = renderReference(doc);
let failed = false;
if (reference.missing.length > 0) {
  console.error(`gen: docs/config-reference.md has no "<!-- fields: PATH -->" block for: ${reference.missing.join(', ')}`);
  failed = true;
}
if (reference.unknown.length > 0) {
  console.error(`gen: docs/config-reference.md names sections the schema does not have: ${reference.unknown.join(', ')}`);
  failed = true;
}

for (const [path, text] of [
  [schemaPath, schemaText],
  [docPath, reference.text],
]) {
  if (read(path) === text) continue;
  if (check) {
    console.error(`gen: ${path} is stale: run \`npm run gen\``);
    failed = true;
  } else {
    writeFileSync(path, text);
    console.log(`gen: wrote ${path}`);
  }
}
process.exit(failed ? 1 : 0);
