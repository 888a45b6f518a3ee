import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, percentile, spread } from './stats.js';

test('percentile is nearest-rank over sorted values', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(v, 50), 50);
  assert.equal(percentile(v, 99), 99);
  assert.equal(percentile(v, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('median of odd and even counts, without reordering the input', () => {
  const input = [3, 1, 2];
  assert.equal(median(input), 2);
  assert.deepEqual(input, [3, 1, 2]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('spread is (max - min) / median, 0 for a single round', () => {
  assert.equal(spread([90, 100, 110]), 0.2);
  assert.equal(spread([100]), 0);
});
