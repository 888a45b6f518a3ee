// Every config in examples/ (*.yaml, *.yml, *.json at its top level) validates, with the proxy's validator and with the JSON Schema.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { formatConfigError, parseSnapshot } from '../../api/snapshot/index.js';
import { toJsonSchema } from '../../api/snapshot/json-schema.js';
import { loadAjv } from '../../api/snapshot/testing.js';

const dir = new URL('../../../examples/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

describe('examples/', async () => {
  const ajv = await loadAjv();
  if (!ajv) console.error('\n*** examples/: ajv is not installed, the JSON Schema check is SKIPPED (the validator check runs) ***\n');
  const check = ajv?.(toJsonSchema());

  it('holds configs to check', () => {
    assert.ok(files.includes('reference.yaml'), `examples/ has: ${files.join(', ')}`);
  });

  for (const file of files) {
    it(`${file} validates`, () => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const res = parseSnapshot(text, { file: `examples/${file}` });
      assert.ok(res.ok, res.ok ? '' : res.error.map(formatConfigError).join('\n'));
    });

    it(`${file} matches the JSON Schema editors use`, { skip: check ? false : 'ajv is not installed' }, () => {
      const value: unknown = parseYaml(readFileSync(new URL(file, dir), 'utf8'), { merge: true });
      assert.equal(check!(value), true, JSON.stringify(check!.errors));
    });
  }
});
