// Property test: random mutations of a valid weft.yaml never throw and always give a frozen Snapshot or located errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseSnapshot, validateSnapshot, type ConfigError } from './index.js';
import { INTERNAL_ERROR } from './parse.js';
import { mutateText, mutateValue, seededRandom } from './testing.js';
import type { Result } from '../../lib/errors.js';

const REFERENCE = readFileSync(new URL('../../../examples/reference.yaml', import.meta.url), 'utf8');
const ROUNDS = 250;
const REFERENCE_VALUE = parseYaml(REFERENCE) as Record<string, unknown>;

function checkResult(res: Result<unknown, ConfigError[]>, file: string, lineCount: number, context: string): void {
  if (res.ok) {
    assert.ok(Object.isFrozen(res.value), `${context}: the Snapshot is not frozen`);
    for (const v of Object.values(res.value as Record<string, unknown>)) {
      if (v !== null && typeof v === 'object') assert.ok(Object.isFrozen(v), `${context}: a section is not frozen`);
    }
    return;
  }
  assert.ok(res.error.length > 0, `${context}: rejected without errors`);
  for (const e of res.error) {
    assert.equal(e.file, file, context);
    assert.equal(typeof e.path, 'string', context);
    assert.ok(typeof e.message === 'string' && e.message.length > 0, `${context}: empty message`);
    assert.ok(!e.message.startsWith(INTERNAL_ERROR), `${context}: ${e.message}`);
    if (e.line !== undefined) {
      assert.ok(Number.isInteger(e.line) && e.line >= 1 && e.line <= lineCount + 1, `${context}: line ${e.line} of ${lineCount}`);
    }
  }
}

describe('config fuzz (fixed seeds)', () => {
  it('the reference document is valid (the fuzz starts from a valid document)', () => {
    const res = parseSnapshot(REFERENCE, { file: 'reference.yaml' });
    assert.ok(res.ok, res.ok ? '' : JSON.stringify(res.error));
  });

  it('structural mutations: validateSnapshot and parseSnapshot never throw', () => {
    let accepted = 0;
    for (let seed = 1; seed <= ROUNDS; seed++) {
      const rand = seededRandom(seed * 7919);
      const doc = structuredClone(REFERENCE_VALUE);
      mutateValue(doc, rand);
      const context = `seed ${seed}`;
      const direct = validateSnapshot(doc, { file: 'push' });
      checkResult(direct, 'push', Infinity, context);
      const text = stringifyYaml(doc);
      const parsed = parseSnapshot(text, { file: 'weft.yaml' });
      checkResult(parsed, 'weft.yaml', text.split('\n').length, context);
      assert.equal(parsed.ok, direct.ok, `${context}: YAML text and object disagree`);
      if (direct.ok) accepted++;
    }
    // Some mutations keep the document valid (e.g. a changed weight); most must not.
    assert.ok(accepted > 0 && accepted < ROUNDS, `accepted ${accepted} of ${ROUNDS}`);
  });

  it('text mutations: parseSnapshot never throws and errors point into the file', () => {
    let rejected = 0;
    for (let seed = 1; seed <= ROUNDS; seed++) {
      const rand = seededRandom(seed * 104729);
      const text = mutateText(REFERENCE, rand);
      const res = parseSnapshot(text, { file: 'weft.yaml' });
      checkResult(res, 'weft.yaml', text.split('\n').length, `seed ${seed}`);
      if (!res.ok) rejected++;
    }
    assert.ok(rejected > ROUNDS / 4, `only ${rejected} of ${ROUNDS} mutated texts were rejected`);
  });

  it('hostile inputs to validateSnapshot are errors, not exceptions', () => {
    const cyclic: Record<string, unknown> = { clusters: [] };
    cyclic['node'] = cyclic;
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const inputs: unknown[] = [
      undefined,
      null,
      42,
      'text',
      [],
      cyclic,
      { plugins: [{ name: 'p', module: { file: 'p.wasm' }, singleton: true, configuration: deep }] },
      { clusters: [{ name: 'a', endpoints: [], connect_timeout: Number.NaN }] },
      { clusters: new Map() },
      { clusters: [{ name: 'a', endpoints: [{ address: Symbol('x') }] }] },
      { version: 10n },
      { node: { id: () => 'x' } },
      Object.create({ inherited: true }),
    ];
    for (const [i, input] of inputs.entries()) {
      const res = validateSnapshot(input, { file: 'push' });
      assert.equal(res.ok, false, `input ${i}`);
      if (!res.ok) checkResult(res, 'push', Infinity, `input ${i}`);
    }
  });

  it('hostile YAML is an error, not an exception', () => {
    const laughs = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const texts = [
      laughs.join('\n'),
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      `${'{a: '.repeat(2000)}1${'}'.repeat(2000)}`,
      'a: *x',
      '\u0000\u0001',
      '\uFEFFclusters: []',
      '%YAML 9.9\n---\na: 1',
    ];
    for (const [i, text] of texts.entries()) {
      const res = parseSnapshot(text, { file: 'weft.yaml' });
      checkResult(res, 'weft.yaml', text.split('\n').length, `text ${i}`);
    }
  });
});
