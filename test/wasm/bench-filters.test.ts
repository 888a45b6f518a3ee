// The bench's AssemblyScript filters (bench/filters/) do what the benchmark assumes, metered and not, on the real host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { validateSnapshot } from '../../api/snapshot/index.js';
import { FilterAction } from '../../proxy/http/filter.js';
import { PluginManager } from '../../proxy/wasm/plugin-manager.js';
import { BENCH_CHAINS, BENCH_HEADER, benchChainPlugins, writeBenchFilters, type BenchChain, type BenchFilter } from '../../bench/filters/build.js';
import { captureLogging, requestHeaders, TestStream } from './helpers.js';

let dir = '';
let files: Record<BenchFilter, string>;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-bench-filters-'));
  files = await writeBenchFilters(dir);
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

async function chain(plugins: Record<string, unknown>[]) {
  const r = validateSnapshot({
    listeners: [{ name: 'l', address: '127.0.0.1:0', http: { route_table: 'rt', filter_chain: 'bench' } }],
    route_tables: [{ name: 'rt', virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ direct_response: { status: 200 } }] }] }],
    plugins,
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  const registry = new Registry();
  const pm = new PluginManager({ logging: captureLogging().logging, registry });
  const prepared = await pm.prepare(r.value, undefined);
  const factories = prepared.http('bench');
  return {
    pm,
    registry,
    names: factories.map((f) => f.name),
    /** Runs one request's headers through the chain as the filter manager would; returns the last action and the stream. */
    run(extra: [string, string][] = []) {
      const headers = requestHeaders(extra);
      const streams: TestStream[] = [];
      let action: number = FilterAction.Continue;
      for (const f of factories) {
        const s = new TestStream();
        streams.push(s);
        const filter = f.create(s);
        action = filter.onRequestHeaders?.(headers, true) ?? FilterAction.Continue;
        filter.onStreamComplete?.();
        if (action !== FilterAction.Continue) break;
      }
      return { action, headers, replies: streams.flatMap((s) => s.replies) };
    },
    async close() {
      prepared.release();
      await pm.close();
    },
  };
}

for (const metered of [true, false]) {
  test(`noop, add-header and chain-3 (${metered ? 'metered' : 'unmetered'})`, async () => {
    const expectNames: Record<BenchChain, string[]> = { noop: ['bench-noop'], 'add-header': ['bench-add-header'], 'chain-3': ['bench-add-header', 'bench-check-header', 'bench-counter'] };
    for (const name of Object.keys(BENCH_CHAINS) as BenchChain[]) {
      const c = await chain(benchChainPlugins(name, files, { filterChain: 'bench', metered }));
      try {
        assert.deepEqual(c.names, expectNames[name]);
        for (let i = 0; i < 3; i++) {
          const r = c.run();
          assert.equal(r.action, FilterAction.Continue, name);
          assert.deepEqual(r.replies, []);
          assert.deepEqual(r.headers.getAll(BENCH_HEADER.name), name === 'noop' ? [] : [BENCH_HEADER.value], name);
        }
        const vm = c.pm.plugin(expectNames[name][0]!)!;
        assert.equal(vm.module.isMetered, metered);
        if (name === 'chain-3') assert.match(await c.registry.metrics(), /weft_wasm_bench_requests_total\{plugin="bench-counter"\} 3/);
      } finally {
        await c.close();
      }
    }
  });
}

test('check-header alone answers 403 without the header and lets it through with it', async () => {
  const plugins = benchChainPlugins('chain-3', files, { filterChain: 'bench' }).filter((p) => p.name === 'bench-check-header');
  const c = await chain(plugins);
  try {
    const denied = c.run();
    assert.equal(denied.action, FilterAction.Stop);
    assert.equal(denied.replies[0]?.status, 403);
    const allowed = c.run([[BENCH_HEADER.name, BENCH_HEADER.value]]);
    assert.equal(allowed.action, FilterAction.Continue);
    assert.deepEqual(allowed.replies, []);
  } finally {
    await c.close();
  }
});
