import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseProcPidStat, parseProcStat, parseVmRss, processTree, sampleTree } from './proc.js';

test('parseProcStat: busy seconds exclude idle and iowait, per core and in total', () => {
  const text = ['cpu  1000 0 500 8000 100 0 0 0 0 0', 'cpu0 600 0 300 4000 50 0 0 0 0 0', 'cpu1 400 0 200 4000 50 0 0 0 0 0', 'intr 1 2 3'].join('\n');
  const t = parseProcStat(text);
  assert.equal(t.busy, 15);
  assert.deepEqual(t.perCore, [9, 6]);
});

test('parseProcPidStat survives a command name with spaces and parentheses', () => {
  const line = '4242 (my (odd) proc) S 17 4242 4242 0 -1 4194560 1 0 0 0 250 75 30 20 20 0 3 0 100 1000 200 18446744073709551615';
  const s = parseProcPidStat(line);
  assert.equal(s.pid, 4242);
  assert.equal(s.ppid, 17);
  assert.equal(s.cpu, 3.25);
  assert.equal(s.childrenCpu, 0.5);
});

test('parseVmRss reads kB and answers 0 without the field', () => {
  assert.equal(parseVmRss('Name:\tnode\nVmRSS:\t   51234 kB\nThreads: 7\n'), 51234 * 1024);
  assert.equal(parseVmRss('Name:\tzombie\n'), 0);
});

test('processTree and sampleTree follow a real child and its grandchild', async () => {
  // sh starts a sleeping grandchild and waits for it.
  const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
  try {
    let tree: number[] = [];
    for (let i = 0; i < 100 && tree.length < 2; i++) {
      tree = processTree(child.pid!);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(tree[0], child.pid);
    assert.equal(tree.length, 2, `expected sh and sleep, got ${tree.join(',')}`);
    const s = sampleTree(child.pid!);
    assert.ok(s.rss > 0);
    assert.ok(s.cpu >= 0);
  } finally {
    for (const pid of processTree(child.pid!).reverse()) process.kill(pid, 'SIGKILL');
    await once(child, 'exit');
  }
});
