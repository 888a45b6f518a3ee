// Tests of LazyFilterChainBuilder: nothing is loaded until a Snapshot needs filters; then every Snapshot goes to the loaded builder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot } from '../../api/snapshot/index.js';
import { emptyFilterChains, type FilterChainBuilder, type PreparedFilterChains } from './filter-chains.js';
import { LazyFilterChainBuilder } from './filter-chains-lazy.js';

const withPlugins = (n: number) => ({ plugins: Array.from({ length: n }, (_, i) => ({ name: `p${i}` })) }) as unknown as Snapshot;

class RecordingBuilder implements FilterChainBuilder {
  readonly calls: { next: Snapshot; previous: PreparedFilterChains | undefined }[] = [];
  closed = 0;
  async prepare(next: Snapshot, previous: PreparedFilterChains | undefined): Promise<PreparedFilterChains> {
    this.calls.push({ next, previous });
    return { http: () => [], network: () => [], release: () => {} };
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

test('answers empty chains without loading while no Snapshot has plugins', async () => {
  let loads = 0;
  const lazy = new LazyFilterChainBuilder((s) => s.plugins.length > 0, async () => {
    loads++;
    return { builder: new RecordingBuilder() };
  });
  assert.equal(await lazy.prepare(withPlugins(0), undefined), emptyFilterChains);
  assert.equal(await lazy.prepare(withPlugins(0), emptyFilterChains), emptyFilterChains);
  await lazy.close();
  assert.equal(loads, 0);
  assert.equal(lazy.loaded, false);
});

test('loads once for the first Snapshot with plugins, then delegates every Snapshot', async () => {
  const real = new RecordingBuilder();
  let loads = 0;
  let closedAfter = -1;
  const lazy = new LazyFilterChainBuilder((s) => s.plugins.length > 0, async () => {
    loads++;
    return { builder: real, close: async () => void (closedAfter = real.closed) };
  });
  const none = withPlugins(0);
  const two = withPlugins(2);
  const first = await lazy.prepare(none, undefined);
  const [a, b] = await Promise.all([lazy.prepare(two, first), lazy.prepare(two, first)]);
  const c = await lazy.prepare(none, a);
  assert.equal(loads, 1, 'concurrent prepares share one load');
  assert.deepEqual(
    real.calls.map((x) => [x.next, x.previous]),
    [
      [two, undefined],
      [two, undefined],
      [none, a],
    ],
    'the empty chains it answered itself are not passed on as "previous"',
  );
  assert.notEqual(b, emptyFilterChains);
  assert.notEqual(c, emptyFilterChains, 'once loaded, a Snapshot without plugins goes to the builder (it releases the old VMs)');
  await lazy.close();
  await lazy.close();
  assert.equal(real.closed, 1);
  assert.equal(closedAfter, 1, 'the loader\'s close runs after the builder\'s');
});

test('a failed load rejects that prepare, and the next one loads again', async () => {
  let loads = 0;
  const lazy = new LazyFilterChainBuilder(() => true, async () => {
    if (++loads === 1) throw new Error('no Wasm host today');
    return { builder: new RecordingBuilder() };
  });
  await assert.rejects(lazy.prepare(withPlugins(1), undefined), /no Wasm host today/);
  assert.notEqual(await lazy.prepare(withPlugins(1), undefined), emptyFilterChains);
  assert.equal(loads, 2);
});
