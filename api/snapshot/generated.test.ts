// The committed JSON Schema and reference tables are what the schema generates, and the JSON Schema agrees with the validator.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { renderJsonSchema, toJsonSchema } from './json-schema.js';
import { renderReference, sections } from './reference-doc.js';
import { validateSnapshot } from './parse.js';
import { loadAjv, mutateValue, seededRandom } from './testing.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('generated files', () => {
  it('api/weft.schema.json is up to date (run `npm run gen` when this fails)', () => {
    assert.equal(read('api/weft.schema.json'), renderJsonSchema(), 'api/weft.schema.json is stale: run `npm run gen`');
  });

  it('docs/config-reference.md tables are up to date and cover every mapping (run `npm run gen`)', () => {
    const doc = read('docs/config-reference.md');
    const rendered = renderReference(doc);
    assert.deepEqual(rendered.missing, [], 'sections without a "<!-- fields: … -->" block');
    assert.deepEqual(rendered.unknown, [], 'blocks naming no section of the schema');
    assert.equal(doc, rendered.text, 'docs/config-reference.md is stale: run `npm run gen`');
  });

  it('every field has a description (the reference is generated from them)', () => {
    const undocumented = sections().flatMap((s) =>
      Object.entries(s.schema.properties as Record<string, { description?: string }>)
        .filter(([, v]) => !v.description)
        .map(([k]) => (s.path ? `${s.path}.${k}` : k)),
    );
    assert.deepEqual(undocumented, []);
  });

  it('fields with a default are not required in the JSON Schema, transforms appear in their written form', () => {
    const schema = toJsonSchema() as { required?: string[]; properties: Record<string, Record<string, unknown>> };
    assert.equal(schema.required, undefined);
    const cluster = (schema.properties.clusters!.items as { properties: Record<string, Record<string, unknown>>; required: string[] });
    assert.deepEqual(cluster.required, ['name', 'endpoints']);
    const timeout = cluster.properties.connect_timeout!;
    assert.equal(timeout.default, '5s');
    assert.deepEqual((timeout.anyOf as { type: string }[]).map((b) => b.type), ['string', 'number']);
    assert.deepEqual(cluster.properties.lb_policy!.enum, ['round_robin', 'random']);
    assert.ok(!JSON.stringify(schema).includes('"x-'), 'x- hints must not leak into the JSON Schema');
  });
});

describe('JSON Schema agrees with the validator', async () => {
  const ajv = await loadAjv();
  const skip = ajv ? false : 'ajv is not installed: the JSON Schema is not checked by a JSON Schema validator';
  if (!ajv) console.error(`\n*** SKIPPED: ${skip as string} ***\n`);
  const check = ajv?.(toJsonSchema());
  const reference = parseYaml(read('examples/reference.yaml')) as Record<string, unknown>;

  it('accepts examples/reference.yaml', { skip }, () => {
    assert.equal(check!(reference), true, JSON.stringify(check!.errors));
  });

  it('never rejects a document the validator accepts; flags schema mistakes (fixed seeds)', { skip }, () => {
    let accepted = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const doc = structuredClone(reference);
      mutateValue(doc, seededRandom(seed * 31337));
      if (validateSnapshot(doc).ok) {
        accepted++;
        assert.equal(check!(doc), true, `seed ${seed}: ${JSON.stringify(check!.errors)}`);
      }
    }
    assert.ok(accepted > 10, `only ${accepted} mutated documents stayed valid`);
    for (const bad of [{ listners: [] }, { clusters: {} }, { clusters: [{ name: 'a', endpoints: [], connect_timeout: '5 seconds' }] }, { admin: { address: 'localhost' } }]) {
      assert.equal(check!(bad), false, JSON.stringify(bad));
    }
  });
});
