import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pinning, ProcessGroup } from '../system/processes.js';
import { distPath } from '../paths.js';
import { createNodeGenerator } from './load-node.js';
import type { LoadSpec } from './types.js';

async function withOrigin(fn: (group: ProcessGroup, h1: number, h2: number) => Promise<void>): Promise<void> {
  const group = new ProcessGroup(Pinning.detect(true));
  try {
    const child = group.spawn(process.execPath, [distPath('bench/upstream/node-origin.js')], { core: 0, label: 'origin' });
    const m = await child.waitForLine(/\{"h1":(\d+),"h2":(\d+)\}/, 10_000);
    await fn(group, Number(m[1]), Number(m[2]));
  } finally {
    await group.stopAll();
  }
}

function windowSpy(): { open: (pid?: number) => void; close: (pid?: number) => void; calls: string[] } {
  const calls: string[] = [];
  return { calls, open: (pid) => void calls.push(`open ${typeof pid}`), close: (pid) => void calls.push(`close ${typeof pid}`) };
}

test('Node generator: closed loop over HTTP/1.1 and HTTP/2, counting only inside the window it reports', async () => {
  await withOrigin(async (group, h1, h2) => {
    const gen = createNodeGenerator();
    for (const [protocol, port] of [['h1', h1], ['h2', h2]] as const) {
      const spec: LoadSpec = { protocol, port, path: '/tiny', connections: 4, streams: 2, durationS: 1 };
      const w = windowSpy();
      const r = await gen.run(spec, group, w);
      assert.deepEqual(w.calls, ['open number', 'close number'], protocol);
      assert.ok(r.requests > 100, `${protocol}: ${r.requests} requests`);
      assert.equal(r.non2xx, 0);
      assert.equal(r.errors, 0);
      assert.ok(r.durationS >= 1 && r.durationS < 2, `${protocol}: ${r.durationS} s`);
      assert.ok(r.p50Ms > 0 && r.p99Ms >= r.p50Ms);
    }
  });
});

test('Node generator: open loop holds the requested rate', async () => {
  await withOrigin(async (group, h1) => {
    const r = await createNodeGenerator().run({ protocol: 'h1', port: h1, path: '/tiny', connections: 4, streams: 1, durationS: 1, rate: 200 }, group, windowSpy());
    assert.ok(Math.abs(r.requests - 200) <= 10, `${r.requests} requests at 200/s for 1 s`);
  });
});

test('Node generator: counts failures instead of hiding them', async () => {
  await withOrigin(async (group) => {
    // A closed port: every request errors.
    const dead = await createNodeGenerator().run({ protocol: 'h1', port: 1, path: '/tiny', connections: 2, streams: 1, durationS: 1, rate: 50 }, group, windowSpy());
    assert.equal(dead.requests, 0);
    assert.ok(dead.errors > 0);
  });
});
