import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES, type BenchCase } from './cases.js';
import { generatorFor, measurementProblem, planRows } from './macro.js';
import type { GeneratorChoice, LoadGenerator } from './load/types.js';

const variantCase: BenchCase = {
  ...CASES[0]!,
  name: 'v',
  weftVariants: [
    { name: 'a', description: '', patch: (c) => c },
    { name: 'b', description: '', patch: (c) => c },
  ],
};

test('planRows: the five rows in table order by default', () => {
  assert.deepEqual(planRows(CASES[0]!, undefined).map((r) => r.name), ['direct', 'weft', 'http-proxy', 'fastify-http-proxy', 'nginx']);
});

test('planRows: Weft variants follow the rows and ride with `weft`', () => {
  assert.deepEqual(planRows(variantCase, undefined).map((r) => r.name), ['direct', 'weft', 'http-proxy', 'fastify-http-proxy', 'nginx', 'weft:a', 'weft:b']);
  const only = planRows(variantCase, ['weft', 'nginx']);
  assert.deepEqual(only.map((r) => r.name), ['weft', 'nginx', 'weft:a', 'weft:b']);
  assert.equal(only[2]!.base, 'weft');
  assert.equal(typeof only[2]!.patch, 'function');
  assert.deepEqual(planRows(variantCase, ['nginx']).map((r) => r.name), ['nginx']);
});

test('every case has a unique name; every variant case keeps a plain weft row to compare against', () => {
  const names = CASES.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  for (const c of CASES.filter((x) => x.weftVariants)) assert.ok(planRows(c, undefined).some((r) => r.name === 'weft'), c.name);
});

test('generatorFor: fixed-rate cases use the open-loop generator, others by protocol', () => {
  const g = (name: string): LoadGenerator => ({ name, version: '', describe: () => name, run: async () => assert.fail('not run') });
  const choice: GeneratorChoice = { h1: g('wrk'), h2: g('h2load'), fixedRate: g('node') };
  assert.equal(generatorFor(CASES.find((c) => c.name === 'tiny-get')!, choice).name, 'wrk');
  assert.equal(generatorFor(CASES.find((c) => c.name === 'h2-tiny-get')!, choice).name, 'h2load');
  assert.equal(generatorFor(CASES.find((c) => c.rate !== undefined)!, choice).name, 'node');
});

test('measurementProblem: nothing completed, or more than 1 % failed, fails the row', () => {
  assert.equal(measurementProblem({ requests: 0, non2xx: 0, errors: 0 }), 'no request completed');
  assert.equal(measurementProblem({ requests: 1000, non2xx: 5, errors: 5 }), undefined);
  assert.match(measurementProblem({ requests: 1000, non2xx: 20, errors: 0 })!, /20 non-2xx answers/);
  assert.equal(
    measurementProblem({ requests: 3209, non2xx: 0, errors: 46, errorDetail: 'connect 0, read 46, write 0, timeout 0' }),
    '0 non-2xx answers and 46 errors (connect 0, read 46, write 0, timeout 0) out of 3209 requests',
  );
});
