// Tests of IdTable: Map semantics for the operations the host uses, over ids that only grow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdTable } from './id-table.js';

test('set, get, has, delete and size behave as a Map over integer ids', () => {
  const t = new IdTable<string>();
  assert.equal(t.size, 0);
  t.set(1, 'root');
  t.set(2, 'a');
  t.set(2, 'a2');
  assert.equal(t.size, 2, 'replacing does not count twice');
  assert.equal(t.get(2), 'a2');
  assert.ok(t.has(1) && !t.has(3));
  assert.equal(t.get(3), undefined);
  assert.equal(t.delete(2), true);
  assert.equal(t.delete(2), false, 'deleting an absent id is false and changes nothing');
  assert.equal(t.size, 1);
  assert.deepEqual(t.values(), ['root']);
});

test('colliding ids, wrap-around probe runs, growth and shrinking keep every entry reachable', () => {
  const t = new IdTable<number>();
  const ref = new Map<number, number>();
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let step = 0; step < 200_000; step++) {
    // Ids that share low bits (multiples of 16 and 1024, near the table's end) make long probe runs.
    const id = (rand() % 64) * (step % 3 === 0 ? 16 : step % 3 === 1 ? 1024 : 1) + (rand() % 3 === 0 ? 15 : 0);
    if (rand() % 2 === 0) {
      t.set(id, step);
      ref.set(id, step);
    } else {
      assert.equal(t.delete(id), ref.delete(id), `delete ${id} at step ${step}`);
    }
    if (step % 997 === 0) for (const [k, v] of ref) assert.equal(t.get(k), v, `get ${k} at step ${step}`);
  }
  assert.equal(t.size, ref.size);
  assert.deepEqual(t.values().sort((a, b) => a - b), [...ref.values()].sort((a, b) => a - b));
  for (const k of [...ref.keys()]) t.delete(k);
  assert.equal(t.size, 0);
  assert.deepEqual(t.values(), []);
});

test('stream-like churn: ids only grow, a few stay live, the rest come and go', () => {
  const t = new IdTable<{ id: number }>();
  const live = new Map<number, { id: number }>();
  const root = { id: 1 };
  t.set(1, root);
  live.set(1, root);
  for (let id = 2; id < 100_000; id++) {
    const v = { id };
    t.set(id, v);
    live.set(id, v);
    const old = id - 40;
    if (old > 1 && old % 1000 !== 0) {
      assert.equal(t.delete(old), true);
      live.delete(old);
    }
  }
  assert.equal(t.size, live.size);
  assert.deepEqual(t.values().map((v) => v.id).sort((a, b) => a - b), [...live.keys()].sort((a, b) => a - b));
  for (const [id, v] of live) assert.equal(t.get(id), v);
});
