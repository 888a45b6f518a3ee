import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions, UsageError, type BenchOptions } from './options.js';

const parse = (...a: string[]): BenchOptions => parseOptions(a) as BenchOptions;

test('a full run has at least three rounds, repeats noisy ones and waits for quiet', () => {
  const o = parse();
  assert.equal(o.mode, 'full');
  assert.ok(o.rounds >= 3);
  assert.ok(o.repeatNoisy);
  assert.ok(o.quietWaitMs > 0);
});

test('--quick shortens everything and never waits or repeats', () => {
  const o = parse('--quick');
  assert.equal(o.mode, 'quick');
  assert.equal(o.durationS, 1);
  assert.equal(o.quietWaitMs, 0);
  assert.equal(o.repeatNoisy, false);
});

test('flags: --json, --case, --rows, explicit rounds make a custom run', () => {
  const o = parse('--json', '/tmp/x.json', '--case=tiny-get,64k-get', '--rows', 'weft,nginx', '--rounds', '1', '--duration', '2', '--warmup', '0', '--no-save');
  assert.equal(o.json, '/tmp/x.json');
  assert.deepEqual(o.cases, ['tiny-get', '64k-get']);
  assert.deepEqual(o.rows, ['weft', 'nginx']);
  assert.equal(o.mode, 'custom');
  assert.equal(o.rounds, 1);
  assert.equal(o.durationS, 2);
  assert.equal(o.warmupS, 0);
  assert.equal(o.outDir, undefined);
  assert.equal(parse('--quiet-wait', '30').quietWaitMs, 30_000);
});

test('bad values are usage errors naming the flag', () => {
  assert.throws(() => parse('--duration', '1.5'), (e: unknown) => e instanceof UsageError && /--duration/.test(e.message));
  assert.throws(() => parse('--rounds', '0'), /--rounds/);
  assert.throws(() => parse('--upstream', 'apache'), /--upstream/);
  assert.throws(() => parse('--json'), /--json/);
  assert.throws(() => parse('--frobnicate'), /unknown option --frobnicate/);
  assert.equal(parseOptions(['--help']), 'help');
});
