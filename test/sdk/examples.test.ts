// The example filters, compiled from source, driven through a FAKE in-test host (fake-host.ts):
// contexts, header maps, bodies, callouts, local responses, shared data, metrics, TCP data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileExample } from './compile.js';
import { FakeHost } from './fake-host.js';

const CONTINUE = 0;
const PAUSE = 1;

async function load(name: string): Promise<FakeHost> {
  const { wasm } = await compileExample(name, 'release');
  return FakeHost.load(wasm);
}

describe('example filters on the fake host', () => {
  it('hello: adds the configured response header, logs the path at debug, rejects bad JSON', async () => {
    const host = await load('hello');
    assert.deepEqual(host.startRoot(1, '{"header": "x-greeting", "value": "hi"}'), { vmStart: 1, configure: 1 });
    host.logLevel = 1;
    host.newStream(2, 1);
    assert.equal(host.requestHeaders(2, [[':path', '/a'], [':method', 'GET']], true), CONTINUE);
    assert.equal(host.responseHeaders(2, [[':status', '200']]), CONTINUE);
    assert.equal(host.header(2, 2, 'x-greeting'), 'hi');
    assert.deepEqual(host.logs, [{ level: 1, message: 'hello: /a' }]);
    host.logLevel = 2;
    host.newStream(3, 1);
    host.requestHeaders(3, [[':path', '/b']], true);
    assert.equal(host.logs.length, 1, 'nothing logged below the host level');
    assert.equal(host.finish(2), true);
    assert.equal(host.finish(3), true);

    const bad = await load('hello');
    assert.equal(bad.startRoot(1, '{"header": ').configure, 0);
    assert.match(bad.logs[0]!.message, /invalid configuration: unexpected end of input/);
  });

  it('header-rules: removes, sets and adds request and response headers', async () => {
    const host = await load('header-rules');
    const cfg = {
      request: { add: { 'X-Added': '1' }, set: { 'x-set': 'new' }, remove: ['x-internal'] },
      response: { set: { server: 'weft' }, remove: ['x-powered-by'] },
    };
    assert.equal(host.startRoot(1, JSON.stringify(cfg)).configure, 1);
    host.newStream(2, 1);
    host.requestHeaders(2, [[':path', '/'], ['x-internal', 'secret'], ['x-set', 'old'], ['x-added', '0']]);
    assert.deepEqual(host.stream(2).maps[0], [[':path', '/'], ['x-added', '0'], ['x-set', 'new'], ['x-added', '1']]);
    host.responseHeaders(2, [[':status', '200'], ['x-powered-by', 'php'], ['server', 'apache']]);
    assert.deepEqual(host.stream(2).maps[2], [[':status', '200'], ['server', 'weft']]);

    const bad = await load('header-rules');
    assert.equal(bad.startRoot(1, '{"request": {"add": {"x-a": 1}}}').configure, 0, 'non-string value rejected');
  });

  it('auth-callout: pauses, calls out, resumes with the user on 200 and denies with 403', async () => {
    const host = await load('auth-callout');
    assert.equal(host.startRoot(1, '{"cluster": "authz", "path": "/verify", "timeout_ms": 250}').configure, 1);

    host.newStream(2, 1);
    assert.equal(host.requestHeaders(2, [[':path', '/x'], ['authorization', 'Bearer good']]), PAUSE);
    const call = host.httpCalls[0]!;
    assert.equal(call.context, 2);
    assert.equal(call.upstream, 'authz');
    assert.equal(call.timeout, 250);
    assert.deepEqual(call.headers, [[':method', 'GET'], [':path', '/verify'], [':authority', 'authz'], ['authorization', 'Bearer good']]);

    host.newStream(3, 1);
    assert.equal(host.requestHeaders(3, [[':path', '/y'], ['authorization', 'Bearer bad']]), PAUSE);
    const denied = host.httpCalls[1]!;

    // Responses arrive on the root context, out of order; the SDK switches to the calling stream.
    host.httpCallResponse(1, denied.id, [[':status', '401']], 'no');
    assert.deepEqual(host.localResponses.map((r) => [r.context, r.status, r.body]), [[3, 403, 'forbidden\n']]);
    assert.deepEqual(host.localResponses[0]!.headers, [['content-type', 'text/plain']]);
    host.httpCallResponse(1, call.id, [[':status', '200'], ['x-auth-user', 'alice']], '');
    assert.deepEqual(host.continued, [{ context: 2, stream: 0 }]);
    assert.equal(host.header(2, 0, 'x-auth-user'), 'alice');
    assert.deepEqual(host.effectiveSwitches, [3, 2]);

    const metrics = new Map([...host.metrics.values()].map((m) => [m.name, m.value]));
    assert.equal(metrics.get('auth_callout_allowed_total'), 1n);
    assert.equal(metrics.get('auth_callout_denied_total'), 1n);

    // A failed call (no headers) fails closed with 503; a response for a finished stream is dropped.
    host.newStream(4, 1);
    host.requestHeaders(4, [[':path', '/z']]);
    host.httpCallResponse(1, host.httpCalls[2]!.id, [], '');
    assert.deepEqual(host.localResponses.at(-1)!.status, 503);
    host.newStream(5, 1);
    host.requestHeaders(5, [[':path', '/gone']]);
    assert.equal(host.finish(5), true);
    host.httpCallResponse(1, host.httpCalls[3]!.id, [[':status', '200']], '');
    assert.equal(host.continued.length, 1, 'no resume for a deleted stream');

    const badCfg = await load('auth-callout');
    assert.equal(badCfg.startRoot(1, '{"timeout_ms": 0}').configure, 0);
    const unknown = await load('auth-callout');
    unknown.startRoot(1, '{"cluster": "unknown"}');
    unknown.newStream(2, 1);
    assert.equal(unknown.requestHeaders(2, [[':path', '/']]), PAUSE, 'unknown cluster answers 503 (fail closed)');
    assert.equal(unknown.localResponses[0]!.status, 503);
  });

  it('request-counter: counts through shared data with CAS, sets a timer, reports on tick', async () => {
    const host = await load('request-counter');
    assert.equal(host.startRoot(1, '{"key": "hits", "report_every_ms": 2000}').configure, 1);
    assert.equal(host.tickPeriods.get(1), 2000);
    for (let id = 2; id < 5; id++) {
      host.newStream(id, 1);
      host.requestHeaders(id, [[':path', '/']], true);
      host.responseHeaders(id, [[':status', '200']]);
      assert.equal(host.header(id, 2, 'x-request-count'), String(id - 1));
      host.finish(id);
    }
    // Another VM writes in between: the next read-modify-write must see its value.
    const shared = host.shared.get('hits')!;
    const bumped = new Uint8Array(8);
    new DataView(bumped.buffer).setBigUint64(0, 10n, true);
    host.shared.set('hits', { value: bumped, cas: shared.cas + 1000 });
    host.newStream(9, 1);
    host.requestHeaders(9, [[':path', '/']], true);
    host.responseHeaders(9, [[':status', '200']]);
    assert.equal(host.header(9, 2, 'x-request-count'), '11');
    host.call('proxy_on_tick', 1);
    assert.equal(host.logs.at(-1)!.message, 'request-counter: 11 requests');
    assert.equal([...host.metrics.values()][0]!.value, 4n);
  });

  it('tcp-guard: counts bytes and closes both sides on a forbidden token', async () => {
    const host = await load('tcp-guard');
    assert.equal(host.startRoot(1, '{"deny": ["DROP TABLE"]}').configure, 1);
    host.newStream(2, 1);
    assert.equal(host.call('proxy_on_new_connection', 2), CONTINUE);
    const data = (s: string): number => {
      host.stream(2).buffers[2] = new TextEncoder().encode(s);
      return host.call('proxy_on_downstream_data', 2, s.length, 0);
    };
    assert.equal(data('SELECT 1;'), CONTINUE);
    assert.equal(data('x; DROP TABLE users;'), PAUSE);
    assert.deepEqual(host.closed, [{ context: 2, stream: 2 }, { context: 2, stream: 3 }]);
    assert.equal([...host.metrics.values()][0]!.value, 1n);
    host.logLevel = 0;
    host.call('proxy_on_downstream_connection_close', 2, 2);
    assert.equal(host.logs.at(-1)!.message, 'tcp-guard: 29 bytes in, 0 out');
    assert.equal(host.finish(2), true);
  });

  it('body-redact: buffers a text body and masks words; leaves other types alone', async () => {
    const host = await load('body-redact');
    assert.equal(host.startRoot(1, '{"words": ["secret"], "mask": "[x]"}').configure, 1);
    host.newStream(2, 1);
    host.responseHeaders(2, [[':status', '200'], ['content-type', 'text/plain'], ['content-length', '30']]);
    assert.equal(host.header(2, 2, 'content-length'), undefined);
    assert.equal(host.responseBody(2, 'my secret is ', false), PAUSE);
    assert.equal(host.responseBody(2, 'secret!', true), CONTINUE);
    assert.equal(new TextDecoder().decode(host.stream(2).buffers[1]), 'my [x] is [x]!');

    host.newStream(3, 1);
    host.responseHeaders(3, [[':status', '200'], ['content-type', 'image/png']]);
    assert.equal(host.responseBody(3, 'secret', true), CONTINUE);
    assert.equal(new TextDecoder().decode(host.stream(3).buffers[1]), 'secret');
  });
});
