// fault on the real host with a fake clock and scripted randomness: aborts and delays by percentage,
// scoped by headers and path; delays end on the plugin's timer, never by blocking; streams that go
// away while delayed are forgotten; configuration errors.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFilter, FakeRandom, loadFilter, PluginStartError, weftRoot, type FilterHarness, type FilterModule } from '../../../sdk/testing/index.js';

let filter: FilterModule;

function send(h: FilterHarness, headers: Record<string, string> = { 'x-chaos': 'on' }) {
  const s = h.http();
  s.sendRequestHeaders({ ':path': '/api/orders', ...headers }, true);
  return s;
}

describe('fault', () => {
  before(async () => {
    filter = await loadFilter(await buildFilter(join(weftRoot, 'plugins', 'fault')));
  });

  it('aborts the chosen percentage of matching requests, and leaves the rest alone', async () => {
    const random = new FakeRandom();
    const h = await filter.start({ random, configuration: { match: { headers: { 'x-chaos': 'on' } }, abort: { percentage: 30, status: 503 } } });
    random.queueF64(0.29);
    const hit = send(h);
    assert.equal(hit.localResponse?.status, 503);
    assert.equal(hit.localResponse?.text, 'fault injected\n');
    assert.equal(hit.localResponse?.headers.get('x-weft-fault'), 'abort');
    assert.equal(hit.info.responseCodeDetails, 'fault_abort');
    random.queueF64(0.31);
    assert.equal(send(h).localResponse, undefined, '30 % aborts draws below 0.30 only');
    const before = random.drawnBytes;
    assert.equal(send(h, { 'x-chaos': 'off' }).localResponse, undefined);
    assert.equal(random.drawnBytes, before, 'requests out of scope draw nothing');
    assert.equal(h.metric('fault_aborts_total'), 1);
    h.close();
  });

  it('aborts about the configured share over many requests (seeded draws)', async () => {
    const h = await filter.start({ random: new FakeRandom(42), configuration: { abort: { percentage: 25, status: 500 } } });
    let aborted = 0;
    for (let i = 0; i < 2000; i++) if (send(h, {}).localResponse) aborted++;
    assert.ok(aborted > 400 && aborted < 600, `${aborted} of 2000`);
    assert.equal(h.metric('fault_aborts_total'), aborted);
    h.close();
  });

  it('delays matching requests on the timer and resumes each when its delay ends', async () => {
    const h = await filter.start({ configuration: { match: { path_prefix: '/api', headers: { 'x-user': '*' } }, delay: { percentage: 100, duration_ms: 500 } } });
    const first = send(h, { 'x-user': 'a' });
    assert.equal(first.request.headersForwarded, false);
    h.advance(200);
    const second = send(h, { 'x-user': 'b' });
    assert.equal(h.metric('fault_active_delays'), 2);
    h.advance(299);
    assert.equal(first.request.headersForwarded, false);
    h.advance(1);
    assert.ok(first.request.headersForwarded, 'resumed at 500 ms');
    assert.equal(second.request.headersForwarded, false);
    h.advance(200);
    assert.ok(second.request.headersForwarded, 'resumed at 700 ms');
    assert.equal(h.metric('fault_active_delays'), 0);
    assert.equal(h.tickPeriodMs, 0, 'no timer while nothing waits');
    assert.equal(send(h, {}).request.headersForwarded, true, 'no x-user: out of scope');
    const elsewhere = h.http();
    elsewhere.sendRequestHeaders({ ':path': '/static/x', 'x-user': 'a' }, true);
    assert.ok(elsewhere.request.headersForwarded, 'outside the path prefix');
    assert.equal(h.metric('fault_delays_total'), 2);
    h.close();
  });

  it('aborts after the delay when both are drawn; forgets a stream that goes away while delayed', async () => {
    const h = await filter.start({ configuration: { delay: { percentage: 100, duration_ms: 100 }, abort: { percentage: 100, status: 429, grpc_status: 8 } } });
    const s = send(h, {});
    h.advance(100);
    assert.equal(s.localResponse?.status, 429);
    assert.equal(s.localResponse?.grpcStatus, 8);
    const gone = send(h, {});
    gone.reset();
    assert.equal(h.metric('fault_active_delays'), 0);
    assert.equal(h.tickPeriodMs, 0);
    h.advance(1000);
    assert.equal(h.failed, false);
    h.close();
  });

  it('delays no more than max_active_delays requests at once', async () => {
    const h = await filter.start({ configuration: { delay: { percentage: 100, duration_ms: 50 }, max_active_delays: 1 } });
    const held = send(h, {});
    const passed = send(h, {});
    assert.equal(held.request.headersForwarded, false);
    assert.equal(passed.request.headersForwarded, true);
    h.advance(50);
    assert.ok(held.request.headersForwarded);
    h.close();
  });

  it('rejects configurations without a fault or with bad values', async () => {
    for (const [configuration, why] of [
      [{}, /abort, delay or both/],
      [{ abort: { percentage: 101 } }, /percentage/],
      [{ abort: {} }, /percentage/],
      [{ abort: { percentage: 5, status: 99 } }, /abort.status/],
      [{ delay: { percentage: 5 } }, /duration_ms/],
      [{ abort: { percentage: 5 }, match: { headers: { 'x-a': 1 } } }, /match.headers/],
    ] as const) {
      await assert.rejects(filter.start({ configuration }), (e: unknown) => e instanceof PluginStartError && why.test(e.logs.map((l) => l.message).join('\n')), JSON.stringify(configuration));
    }
  });
});
