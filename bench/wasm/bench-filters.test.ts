// The bench's Wasm filters, run on Weft's real proxy-wasm host through the same config the bench writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseSnapshot } from '../../api/snapshot/index.js';
import { Logging } from '../../lib/log.js';
import { FilterAction } from '../../proxy/http/filter.js';
import { PluginManager } from '../../proxy/wasm/index.js';
import { TestStream, requestHeaders } from '../../test/wasm/helpers.js';
import { CASES } from '../cases.js';
import { weftBenchConfig } from '../targets/target-weft.js';
import { RunMemo } from '../targets/target.js';
import { benchFilterWat } from './bench-filters.js';

async function chainOf(variant: string): Promise<{ names: string[]; run: () => { action: number; headers: [string, string][] }; close: () => Promise<void> }> {
  const v = CASES.flatMap((c) => c.weftVariants ?? []).find((x) => x.name === variant)!;
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-filters-'));
  const parsed = parseSnapshot(stringify(await v.patch(weftBenchConfig(18080, 19901, 18081), { dir, memo: new RunMemo(dir) })));
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.error));
  const manager = new PluginManager({ logging: new Logging({ level: 'silent' }) });
  const prepared = await manager.prepare(parsed.value, undefined);
  const chainName = parsed.value.listeners[0]!.http!.filter_chain!;
  const factories = prepared.http(chainName);
  return {
    names: factories.map((f) => f.name),
    run: () => {
      const headers = requestHeaders();
      let action: number = FilterAction.Continue;
      for (const f of factories) {
        const filter = f.create(new TestStream());
        action = Math.max(action, filter.onRequestHeaders?.(headers, true) ?? FilterAction.Continue);
        filter.onStreamComplete?.();
      }
      return { action, headers: [...headers].filter(([k]) => k.startsWith('x-bench')) };
    },
    close: async () => {
      prepared.release();
      await manager.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('wat-noop: one filter that continues and changes nothing, on the real host', async () => {
  const chain = await chainOf('wat-noop');
  try {
    assert.equal(chain.names.length, 1);
    for (let i = 0; i < 3; i++) assert.deepEqual(chain.run(), { action: FilterAction.Continue, headers: [] });
  } finally {
    await chain.close();
  }
});

test('wat-add-header adds x-bench to every request, on the real host', async () => {
  const chain = await chainOf('wat-add-header');
  try {
    for (let i = 0; i < 3; i++) assert.deepEqual(chain.run(), { action: FilterAction.Continue, headers: [['x-bench', 'weft']] });
  } finally {
    await chain.close();
  }
});

test('wasm-chain-3 (the SDK filters): three filters in order, the request passes the header check', { timeout: 120_000 }, async () => {
  const chain = await chainOf('wasm-chain-3');
  try {
    assert.deepEqual(chain.names, ['bench-add-header', 'bench-check-header', 'bench-counter']);
    for (let i = 0; i < 3; i++) assert.deepEqual(chain.run(), { action: FilterAction.Continue, headers: [['x-bench', 'weft']] });
  } finally {
    await chain.close();
  }
});

test('header names and values are embedded as given (no escaping needed for bench names)', () => {
  const wat = benchFilterWat({ kind: 'add-header', name: 'x-bench-9', value: 'weft' });
  assert.match(wat, /\(data \(i32\.const 1024\) "x-bench-9"\)/);
  assert.match(wat, /\(i32\.const 9\) \(i32\.const 2048\) \(i32\.const 4\)/);
  assert.doesNotMatch(benchFilterWat({ kind: 'noop' }), /call \$add_header/);
});
