// The example filters, built from source and run on the proxy's own Wasm host through the SDK test harness:
// configuration, headers, bodies, callouts to fake clusters, local responses, shared data, timers, metrics, TCP.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFilter, bundledSdk, FilterHarness, loadFilter, PluginStartError, type FilterModule } from '../../sdk/testing/index.js';

const filters = new Map<string, Promise<FilterModule>>();
function example(name: string): Promise<FilterModule> {
  let f = filters.get(name);
  if (!f) {
    f = buildFilter(join(bundledSdk, 'examples', name)).then((b) => loadFilter(b));
    filters.set(name, f);
  }
  return f;
}

describe('example filters on the real host (harness)', () => {
  it('hello: adds the configured response header, logs the path only when debug is on, rejects bad JSON', async () => {
    const filter = await example('hello');
    const h = await filter.start({ configuration: { header: 'x-greeting', value: 'hi' }, logLevel: 'debug' });
    const s = h.http();
    assert.equal(s.sendRequestHeaders({ ':path': '/a', ':method': 'GET' }, true), 'continue');
    assert.equal(s.sendResponseHeaders({ ':status': '200' }, true), 'continue');
    assert.equal(s.response.headers?.get('x-greeting'), 'hi');
    assert.ok(s.completed, 'the stream completes when the response has passed');
    assert.deepEqual(h.logMessages(), ['hello: /a']);
    h.close();

    const quiet = await filter.start({ logLevel: 'info' });
    quiet.http().sendRequestHeaders({ ':path': '/b' }, true);
    assert.deepEqual(quiet.logMessages(), [], 'nothing built or logged below the host level');
    quiet.close();

    await assert.rejects(filter.start({ configuration: '{"header": ' }), (e: unknown) => {
      assert.ok(e instanceof PluginStartError);
      assert.match(e.message, /on_configure returned false/);
      assert.match(e.logs.map((l) => l.message).join('\n'), /invalid configuration: unexpected end of input/);
      return true;
    });
  });

  it('header-rules: removes, sets and adds request and response headers', async () => {
    const filter = await example('header-rules');
    const h = await filter.start({
      configuration: {
        request: { add: { 'X-Added': '1' }, set: { 'x-set': 'new' }, remove: ['x-internal'] },
        response: { set: { server: 'weft' }, remove: ['x-powered-by'] },
      },
    });
    const s = h.http();
    s.sendRequestHeaders([[':path', '/'], ['x-internal', 'secret'], ['x-set', 'old'], ['x-added', '0']], true);
    assert.equal(s.request.headers?.has('x-internal'), false);
    assert.equal(s.request.headers?.get('x-set'), 'new');
    assert.deepEqual(s.request.headers?.getAll('x-added'), ['0', '1']);
    s.sendResponseHeaders([[':status', '200'], ['x-powered-by', 'php'], ['server', 'apache']], true);
    assert.deepEqual([...s.response.headers!], [[':status', '200'], ['server', 'weft']]);
    h.close();
    await assert.rejects(filter.start({ configuration: { request: { add: { 'x-a': 1 } } } }), PluginStartError);
  });

  it('auth-callout: pauses, calls the fake cluster, resumes with the user on 200, denies with 403', async () => {
    const filter = await example('auth-callout');
    const h = await filter.start({ configuration: { cluster: 'authz', path: '/verify', timeout_ms: 250 } });
    const authz = h.cluster('authz');

    const alice = h.http();
    assert.equal(alice.sendRequest({ headers: { ':path': '/x', authorization: 'Bearer good' }, body: 'payload' }), 'stop');
    const bob = h.http();
    assert.equal(bob.sendRequestHeaders({ ':path': '/y', authorization: 'Bearer bad' }, true), 'stop');
    assert.equal(authz.calls.length, 2);
    const [first, second] = authz.calls;
    assert.equal(first!.method, 'GET');
    assert.equal(first!.path, '/verify');
    assert.equal(first!.authority, 'authz');
    assert.equal(first!.headers.get('authorization'), 'Bearer good');
    assert.equal(first!.timeoutMs, 250);
    assert.equal(alice.request.headersForwarded, false, 'held while the call is out');

    // Answers arrive out of order; each goes to the stream that asked.
    second!.respond({ status: 401, body: 'no' });
    assert.equal(bob.localResponse?.status, 403);
    assert.equal(bob.localResponse?.text, 'forbidden\n');
    assert.equal(bob.localResponse?.headers.get('content-type'), 'text/plain');
    assert.ok(bob.completed);
    first!.respond({ status: 200, headers: { 'x-auth-user': 'alice' } });
    assert.ok(alice.request.headersForwarded);
    assert.equal(alice.request.headers?.get('x-auth-user'), 'alice');
    assert.equal(alice.request.text, 'payload', 'the body buffered while held flows on after the resume');
    assert.ok(alice.request.ended);
    assert.equal(h.metric('auth_callout_allowed_total'), 1);
    assert.equal(h.metric('auth_callout_denied_total'), 1);

    // The host reports a timeout as a 504 answer: the example fails closed with 503.
    const late = h.http();
    late.sendRequestHeaders({ ':path': '/z' }, true);
    h.advance(249);
    assert.equal(late.localResponse, undefined);
    h.advance(1);
    assert.equal(h.callouts.at(-1)!.state, 'timed-out');
    assert.equal(late.clientStatus, 503);

    // A stream that ended before the answer is not resumed.
    const gone = h.http();
    gone.sendRequestHeaders({ ':path': '/gone' }, true);
    gone.reset();
    h.callouts.at(-1)!.respond({ status: 200 });
    assert.equal(gone.request.headersForwarded, false);
    assert.equal(h.failed, false);
    h.close();

    await assert.rejects(filter.start({ configuration: { timeout_ms: 0 } }), PluginStartError);
    const unknown = await filter.start({ configuration: { cluster: 'unknown' } });
    const s = unknown.http();
    assert.equal(s.sendRequestHeaders({ ':path': '/' }, true), 'stop', 'an undeclared cluster is BadArgument: fail closed');
    assert.equal(s.localResponse?.status, 503);
    assert.match(unknown.logMessages('error').join(), /cannot call unknown: status 2/);
    unknown.close();
  });

  it('auth-callout: canned answers from a responder are delivered on a later turn (await idle)', async () => {
    const h = await FilterHarness.load(await example('auth-callout'), {
      configuration: { cluster: 'authz', fail_open: true },
      clusters: { authz: (call) => (call.headers.get('authorization') === 'Bearer ok' ? { status: 204, headers: { 'x-auth-user': 'svc' } } : { fail: 'connect_failed' }) },
    });
    const ok = h.http();
    const down = h.http();
    ok.sendRequestHeaders({ ':path': '/', authorization: 'Bearer ok' }, true);
    down.sendRequestHeaders({ ':path': '/' }, true);
    assert.equal(ok.request.headersForwarded, false);
    await h.idle();
    assert.equal(ok.request.headers?.get('x-auth-user'), 'svc');
    assert.ok(down.request.headersForwarded, 'a connect failure (503 from the host) fails open as configured');
    assert.match(h.logMessages('warn').join(), /call to authz failed \(status 503\)/);
    h.close();
  });

  it('request-counter: counts through shared data with CAS across two VMs, reports on its timer', async () => {
    const filter = await example('request-counter');
    const a = await filter.start({ configuration: { key: 'hits', report_every_ms: 2000 }, vmId: 'counter' });
    const b = await filter.start({ configuration: { key: 'hits', report_every_ms: 2000 }, vmId: 'counter', sharedData: a.sharedData, clock: a.clock });
    assert.equal(a.tickPeriodMs, 2000);
    const count = (h: FilterHarness): string | undefined => {
      const s = h.http();
      s.sendRequestHeaders({ ':path': '/' }, true);
      s.sendResponseHeaders({ ':status': '200' }, true);
      return s.response.headers?.get('x-request-count');
    };
    assert.deepEqual([count(a), count(b), count(a)], ['1', '2', '3']);
    // Another writer in between: the next read-modify-write sees its value.
    const bumped = Buffer.alloc(8);
    bumped.writeBigUInt64LE(10n);
    a.setSharedData('hits', bumped);
    assert.equal(count(b), '11');
    assert.equal(a.getSharedData('hits')!.value.readBigUInt64LE(0), 11n);

    a.advance(1999);
    assert.deepEqual(a.logMessages('info'), []);
    a.advance(1);
    assert.deepEqual(a.logMessages('info'), ['request-counter: 11 requests']);
    assert.deepEqual(b.logMessages('info'), ['request-counter: 11 requests'], 'the shared clock fired both VMs\' timers');
    a.tick();
    assert.equal(a.logMessages('info').length, 2);
    assert.equal(a.metric('request_counter_requests_total'), 2);
    assert.equal(b.metric('request_counter_requests_total'), 2);
    a.close();
    b.close();
    a.advance(10_000);
    assert.equal(a.logMessages('info').length, 2, 'no ticks after close');
  });

  it('tcp-guard: counts bytes and closes the connection on a forbidden token', async () => {
    const h = await FilterHarness.load(await example('tcp-guard'), { configuration: { deny: ['DROP TABLE'] } });
    const c = h.tcp();
    assert.equal(c.connect(), 'continue');
    assert.equal(c.sendDownstream('SELECT 1;'), 'continue');
    assert.equal(c.sendUpstream('1 row'), 'continue');
    assert.equal(c.sendDownstream('x; DROP TABLE users;'), 'stop');
    assert.ok(c.closedByFilter);
    assert.equal(c.downstream.text, 'SELECT 1;', 'the forbidden bytes never reached the upstream');
    assert.equal(h.metric('tcp_guard_closed_total'), 1);
    c.closeDownstream('local');
    assert.match(h.logMessages().at(-1)!, /tcp-guard: 29 bytes in, 5 out/);
    c.complete();
    assert.ok(c.completed);
    h.close();
  });

  it('body-redact: buffers a text body and masks words; leaves other types alone', async () => {
    const h = await FilterHarness.load(await example('body-redact'), { configuration: { words: ['secret'], mask: '[x]' } });
    const s = h.http();
    s.sendRequestHeaders({}, true);
    s.sendResponseHeaders({ ':status': '200', 'content-type': 'text/plain', 'content-length': '20' });
    assert.equal(s.response.headers?.has('content-length'), false);
    assert.equal(s.sendResponseBody('my secret is ', false), 'stop');
    assert.equal(s.response.body.length, 0, 'nothing passes while the filter buffers');
    assert.equal(s.sendResponseBody('secret!', true), 'continue');
    assert.equal(s.response.text, 'my [x] is [x]!');
    assert.ok(s.completed);

    const png = h.http();
    png.sendRequestHeaders({}, true);
    png.sendResponse({ headers: { 'content-type': 'image/png' }, body: ['sec', 'ret'] });
    assert.equal(png.response.text, 'secret');
    h.close();
  });
});
