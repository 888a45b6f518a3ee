// rate-limit on the real host: token buckets per key with refill on a fake clock, 429 with Retry-After
// and x-ratelimit-* headers, one budget shared by two VMs (as by workers), CAS conflicts retried,
// a failing store failing open, key sources and missing keys, configuration errors.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFilter, FakeClock, InProcessSharedData, loadFilter, PluginStartError, weftRoot, type FilterHarness, type FilterModule, type SharedDataStore } from '../../../sdk/testing/index.js';

let filter: FilterModule;
const BUCKET = { max_tokens: 3, tokens_per_fill: 1, fill_interval_ms: 1000 };

function call(h: FilterHarness, headers: Record<string, string> = {}, options: Parameters<FilterHarness['http']>[0] = {}) {
  const s = h.http(options);
  s.sendRequestHeaders({ ':path': '/', ...headers }, true);
  if (!s.completed) s.sendResponseHeaders({ ':status': '200' }, true);
  return s;
}

/** A store that FAKES another worker writing the same key between this VM's read and its write, `times` times. */
class RacingStore implements SharedDataStore {
  readonly inner = new InProcessSharedData();
  races = 0;
  constructor(private times: number) {}
  get(vmId: string, key: string) {
    return this.inner.get(vmId, key);
  }
  set(vmId: string, key: string, value: Uint8Array, cas: number) {
    if (this.times > 0 && cas !== 0) {
      this.times--;
      this.races++;
      // The other worker took a token: same layout (f64 tokens, f64 time).
      const cur = this.inner.get(vmId, key)!;
      const other = Buffer.from(cur.value);
      other.writeDoubleLE(other.readDoubleLE(0) - 1, 0);
      this.inner.set(vmId, key, other, 0);
    }
    return this.inner.set(vmId, key, value, cas);
  }
  registerQueue = this.inner.registerQueue.bind(this.inner);
  resolveQueue = this.inner.resolveQueue.bind(this.inner);
  enqueue = this.inner.enqueue.bind(this.inner);
  dequeue = this.inner.dequeue.bind(this.inner);
  unregisterListener = this.inner.unregisterListener.bind(this.inner);
}

describe('rate-limit', () => {
  before(async () => {
    filter = await loadFilter(await buildFilter(join(weftRoot, 'plugins', 'rate-limit')));
  });

  it('allows a burst of max_tokens, then answers 429 with Retry-After until the bucket refills', async () => {
    const h = await filter.start({ configuration: { key: 'header:x-api-key', ...BUCKET } });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = call(h, { 'x-api-key': 'k1' });
      assert.equal(s.clientStatus, 200);
      assert.equal(s.response.headers?.get('x-ratelimit-limit'), '3');
      remaining.push(s.response.headers!.get('x-ratelimit-remaining')!);
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    const limited = call(h, { 'x-api-key': 'k1' });
    assert.equal(limited.localResponse?.status, 429);
    assert.equal(limited.localResponse?.headers.get('retry-after'), '1');
    assert.equal(limited.localResponse?.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(limited.localResponse?.headers.get('x-ratelimit-reset'), '3');
    assert.equal(limited.info.responseCodeDetails, 'rate_limited');
    assert.equal(call(h, { 'x-api-key': 'k2' }).clientStatus, 200, 'another key has its own bucket');
    h.advance(999);
    assert.equal(call(h, { 'x-api-key': 'k1' }).clientStatus, 429);
    h.advance(1);
    assert.equal(call(h, { 'x-api-key': 'k1' }).clientStatus, 200, 'one token after one fill interval');
    assert.equal(call(h, { 'x-api-key': 'k1' }).clientStatus, 429);
    h.advance(60_000);
    assert.deepEqual([1, 2, 3, 4].map(() => call(h, { 'x-api-key': 'k1' }).clientStatus), [200, 200, 200, 429], 'refills to capacity, no more');
    assert.equal(h.metric('rate_limit_allowed_total'), 8);
    assert.equal(h.metric('rate_limit_limited_total'), 4);
    h.close();
  });

  it('shares one budget between VMs on the same store (as workers do)', async () => {
    const sharedData = new InProcessSharedData();
    const clock = new FakeClock();
    const options = { configuration: { key: 'client_address', ...BUCKET }, sharedData, clock, vmId: 'edge' };
    const a = await filter.start(options);
    const b = await filter.start(options);
    const statuses = [a, b, a, b, a].map((h) => call(h, {}, { connection: { remoteAddress: '198.51.100.7', remotePort: 1000 + Math.floor(Math.random() * 1000) } }).clientStatus);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429], 'three tokens in total, whichever worker, whatever client port');
    assert.equal(call(a, {}, { connection: { remoteAddress: '198.51.100.8' } }).clientStatus, 200, 'another client address');
    a.close();
    b.close();
  });

  it('retries when another worker wrote in between (CAS), and counts both takes', async () => {
    const store = new RacingStore(2);
    const h = await filter.start({ configuration: { key: 'header:x-k', ...BUCKET, max_tokens: 5 }, sharedData: store });
    assert.equal(call(h, { 'x-k': 'a' }).clientStatus, 200, 'first take creates the bucket');
    assert.equal(call(h, { 'x-k': 'a' }).clientStatus, 200, 'second take raced twice, then succeeded');
    assert.equal(store.races, 2);
    assert.equal(h.metric('rate_limit_cas_retries_total'), 2);
    // 5 tokens: ours took 2 and the racing writer 2; one is left.
    assert.equal(call(h, { 'x-k': 'a' }).clientStatus, 200);
    assert.equal(call(h, { 'x-k': 'a' }).clientStatus, 429);
    h.close();
  });

  it('fails open when the shared store fails', async () => {
    const broken = new InProcessSharedData();
    broken.get = () => {
      throw new Error('store down');
    };
    const h = await filter.start({ configuration: { ...BUCKET, max_tokens: 1 }, sharedData: broken });
    assert.deepEqual([1, 2, 3].map(() => call(h).clientStatus), [200, 200, 200]);
    assert.equal(h.metric('rate_limit_store_errors_total'), 3);
    h.close();
  });

  it('keys by route, and treats a missing key as configured (shared bucket, allow or deny)', async () => {
    const byRoute = await filter.start({ configuration: { key: 'route', ...BUCKET, max_tokens: 1 } });
    assert.equal(call(byRoute, {}, { routeName: 'orders' }).clientStatus, 200);
    assert.equal(call(byRoute, {}, { routeName: 'orders' }).clientStatus, 429);
    assert.equal(call(byRoute, {}, { routeName: 'users' }).clientStatus, 200);
    byRoute.close();
    const shared = await filter.start({ configuration: { key: 'header:x-k', ...BUCKET, max_tokens: 1 } });
    assert.deepEqual([call(shared).clientStatus, call(shared).clientStatus], [200, 429], 'requests without the key share one bucket');
    shared.close();
    const allow = await filter.start({ configuration: { key: 'header:x-k', ...BUCKET, max_tokens: 1, missing_key: 'allow' } });
    assert.deepEqual([call(allow).clientStatus, call(allow).clientStatus], [200, 200]);
    allow.close();
    const deny = await filter.start({ configuration: { key: 'header:x-k', ...BUCKET, missing_key: 'deny', status: 403 } });
    assert.equal(call(deny).clientStatus, 403);
    deny.close();
  });

  it('rejects configurations it cannot enforce', async () => {
    for (const [configuration, why] of [
      [{ key: 'cookie' }, /key must be/],
      [{ max_tokens: 0 }, /max_tokens/],
      [{ fill_interval_ms: 0 }, /fill_interval_ms/],
      [{ status: 200 }, /status/],
      [{ missing_key: 'maybe' }, /missing_key/],
    ] as const) {
      await assert.rejects(filter.start({ configuration }), (e: unknown) => e instanceof PluginStartError && why.test(e.logs.map((l) => l.message).join('\n')), JSON.stringify(configuration));
    }
  });
});
