// auth-external on the real host against a fake authorization cluster: what the check request
// carries, allow with upstream headers, deny relayed to the client, fail closed / open on timeout,
// connect failure, 5xx and an unknown cluster; the request body waits for the verdict.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFilter, loadFilter, PluginStartError, weftRoot, type FilterModule } from '../../../sdk/testing/index.js';

let filter: FilterModule;
const CONFIG = {
  cluster: 'authz',
  path_prefix: '/check/',
  timeout_ms: 250,
  allowed_request_headers: ['Authorization', 'x-tenant'],
  allowed_upstream_headers: ['x-user', 'x-roles'],
  allowed_client_headers: ['www-authenticate', 'x-reason'],
};

describe('auth-external', () => {
  before(async () => {
    filter = await loadFilter(await buildFilter(join(weftRoot, 'plugins', 'auth-external')));
  });

  it('asks the service with the method, prefixed path and chosen headers; a 2xx lets the request through with its headers', async () => {
    const h = await filter.start({ configuration: CONFIG });
    const authz = h.cluster('authz');
    const s = h.http({ connection: { remoteAddress: '203.0.113.9', remotePort: 40400 } });
    assert.equal(s.sendRequestHeaders({ ':method': 'POST', ':path': '/orders?id=7', ':authority': 'shop.example', authorization: 'Bearer t', 'x-tenant': 'acme', cookie: 'c=1', 'x-user': 'spoofed' }), 'stop');
    assert.equal(s.sendRequestBody('{"qty":1}', true), 'stop', 'the body waits for the verdict');
    const call = authz.calls[0]!;
    assert.equal(call.method, 'POST');
    assert.equal(call.path, '/check/orders?id=7');
    assert.equal(call.authority, 'authz');
    assert.equal(call.timeoutMs, 250);
    assert.equal(call.headers.get('authorization'), 'Bearer t');
    assert.equal(call.headers.get('x-tenant'), 'acme');
    assert.equal(call.headers.get('x-forwarded-host'), 'shop.example');
    assert.equal(call.headers.get('x-forwarded-for'), '203.0.113.9');
    assert.equal(call.headers.has('cookie'), false, 'only the allowed headers go to the service');
    assert.equal(call.body.length, 0);

    call.respond({ status: 200, headers: { 'x-user': 'alice', 'x-secret': 'no' } });
    assert.ok(s.request.headersForwarded && s.request.ended);
    assert.equal(s.request.text, '{"qty":1}');
    assert.equal(s.request.headers?.get('x-user'), 'alice');
    assert.equal(s.request.headers?.has('x-roles'), false);
    assert.equal(s.request.headers?.has('x-secret'), false);
    assert.equal(h.metric('auth_external_allowed_total'), 1);
    h.close();
  });

  it("relays a denial: the service's status, body and allowed client headers", async () => {
    const h = await filter.start({ configuration: CONFIG, clusters: { authz: { status: 401, headers: { 'www-authenticate': 'Bearer realm="shop"', 'x-reason': 'expired', 'x-internal': 'hidden', 'content-type': 'application/json' }, body: '{"error":"expired"}' } } });
    const s = h.http();
    s.sendRequestHeaders({ ':path': '/' }, true);
    await h.idle();
    assert.equal(s.localResponse?.status, 401);
    assert.equal(s.localResponse?.text, '{"error":"expired"}');
    assert.equal(s.localResponse?.headers.get('www-authenticate'), 'Bearer realm="shop"');
    assert.equal(s.localResponse?.headers.get('x-reason'), 'expired');
    assert.equal(s.localResponse?.headers.get('content-type'), 'application/json');
    assert.equal(s.localResponse?.headers.has('x-internal'), false);
    assert.equal(s.info.responseCodeDetails, 'ext_authz_denied');
    assert.equal(h.metric('auth_external_denied_total'), 1);
    h.close();
  });

  it('fails closed on a timeout (status_on_error) and open when failure_mode_allow is set', async () => {
    const closed = await filter.start({ configuration: { ...CONFIG, status_on_error: 503 }, clusters: { authz: {} } });
    const s = closed.http();
    s.sendRequestHeaders({ ':path': '/' }, true);
    closed.advance(249);
    assert.equal(s.completed, false);
    closed.advance(1);
    assert.equal(closed.callouts[0]!.state, 'timed-out');
    assert.equal(s.localResponse?.status, 503);
    assert.equal(closed.metric('auth_external_errors_total'), 1);
    closed.close();

    const open = await filter.start({ configuration: { ...CONFIG, failure_mode_allow: true }, clusters: { authz: {} } });
    const o = open.http();
    o.sendRequestHeaders({ ':path': '/', 'x-user': 'spoofed' }, true);
    open.advance(250);
    assert.ok(o.request.headersForwarded);
    assert.equal(o.request.headers?.get('x-weft-ext-authz-failure-mode-allowed'), 'true');
    assert.equal(o.request.headers?.has('x-user'), false, 'no identity headers when the service did not answer');
    assert.match(open.logMessages('warn').join(), /allowing \(failure_mode_allow\)/);
    open.close();
  });

  it('treats a connect failure and a 5xx as errors (default 403), and an unknown cluster too', async () => {
    const h = await filter.start({ configuration: CONFIG, clusters: { authz: {} } });
    const outcomes: [() => void, string][] = [
      [() => h.callouts.at(-1)!.fail('connect_failed'), 'connect'],
      [() => h.callouts.at(-1)!.respond({ status: 500, body: 'boom' }), '500'],
    ];
    for (const [answer, what] of outcomes) {
      const s = h.http();
      s.sendRequestHeaders({ ':path': '/' }, true);
      answer();
      assert.equal(s.localResponse?.status, 403, what);
      assert.equal(s.localResponse?.text, 'authorization unavailable\n');
    }
    h.close();
    const nowhere = await filter.start({ configuration: { ...CONFIG, cluster: 'missing' } });
    const s = nowhere.http();
    assert.equal(s.sendRequestHeaders({ ':path': '/' }, true), 'stop');
    assert.equal(s.localResponse?.status, 403);
    nowhere.close();
  });

  it('rejects configurations without a service or with bad values', async () => {
    for (const [configuration, why] of [
      [{}, /cluster/],
      [{ cluster: 'a', timeout_ms: 0 }, /timeout_ms/],
      [{ cluster: 'a', path_prefix: 'x' }, /path_prefix/],
      [{ cluster: 'a', allowed_request_headers: [':path'] }, /allowed_/],
      [{ cluster: 'a', status_on_error: 42 }, /status_on_error/],
    ] as const) {
      await assert.rejects(filter.start({ configuration }), (e: unknown) => e instanceof PluginStartError && why.test(e.logs.map((l) => l.message).join('\n')));
    }
  });
});
