// DeadlineSweeper: deadlines fire after their time (never before), once, and the timer stops when idle.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { DeadlineSweeper, type Expirable } from './deadline-sweeper.js';

test('tick sizes follow the shortest timeout', () => {
  assert.equal(DeadlineSweeper.tickFor(10_000, 60_000), 1000);
  assert.equal(DeadlineSweeper.tickFor(200, 0), 50);
  assert.equal(DeadlineSweeper.tickFor(20), 25);
  assert.equal(DeadlineSweeper.tickFor(0, 0), 1000);
});

test('a deadline fires once, not before its time; moving it to 0 cancels', async () => {
  const sweeper = new DeadlineSweeper(25);
  const fired: number[] = [];
  const start = performance.now();
  const a: Expirable = { deadline: 0, sweepIndex: -1, onDeadline: () => fired.push(performance.now() - start) };
  const b: Expirable = { deadline: 0, sweepIndex: -1, onDeadline: () => assert.fail('cancelled') };
  sweeper.add(a);
  sweeper.add(b);
  a.deadline = sweeper.deadlineIn(60);
  b.deadline = sweeper.deadlineIn(60);
  b.deadline = 0;
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (fired.length > 0) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
  assert.equal(fired.length, 1);
  assert.ok(fired[0]! >= 60, `fired after ${fired[0]} ms`);
  assert.equal(a.deadline, 0);
  sweeper.delete(a);
  sweeper.delete(b);
  assert.equal(sweeper.size, 0);
  sweeper.close();
});

test('items leaving and joining keep their slots consistent', () => {
  const sweeper = new DeadlineSweeper(1000);
  const items: Expirable[] = Array.from({ length: 10 }, () => ({ deadline: 0, sweepIndex: -1, onDeadline: () => {} }));
  for (const it of items) sweeper.add(it);
  sweeper.add(items[0]!);
  assert.equal(sweeper.size, 10);
  for (const i of [3, 0, 9, 5]) sweeper.delete(items[i]!);
  sweeper.delete(items[3]!);
  assert.equal(sweeper.size, 6);
  for (const [i, it] of items.entries()) assert.equal(it.sweepIndex >= 0, ![3, 0, 9, 5].includes(i));
  for (const it of items) sweeper.delete(it);
  assert.equal(sweeper.size, 0);
  sweeper.close();
});

test('an item whose handler throws does not stop the others', async () => {
  const sweeper = new DeadlineSweeper(25);
  let ok = false;
  sweeper.add({ deadline: 1, sweepIndex: -1, onDeadline: () => { throw new Error('bad'); } });
  sweeper.add({ deadline: 1, sweepIndex: -1, onDeadline: () => { ok = true; } });
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (ok) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
  sweeper.close();
});
