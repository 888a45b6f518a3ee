// The SDK's dispatcher and API surface, through a test-only filter (assembly/api-probe.ts) on the
// FAKE in-test host: root ids, context lifecycle, deferred done, re-entrancy, unknown ids, gRPC,
// queues, properties, environment, clocks, randomness, FFI, shared data statuses and metrics.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileProbe } from './compile.js';
import { FakeHost, propertyKey, serializePairs } from './fake-host.js';

const enc = new TextEncoder();
let wasm: Uint8Array;

async function probe(rootId = 'probe'): Promise<FakeHost> {
  const host = await FakeHost.load(wasm);
  host.properties.set('plugin_root_id', enc.encode(rootId));
  host.startRoot(1, 'cfg');
  return host;
}

function messages(host: FakeHost): string[] {
  return host.logs.map((l) => l.message);
}

describe('SDK dispatcher and API on the fake host', () => {
  before(async () => {
    wasm = (await compileProbe('api-probe.ts', 'release')).wasm;
  });

  it('picks the root context by plugin_root_id when several are registered', async () => {
    assert.deepEqual(messages(await probe('probe')), ['configure probe cfg']);
    assert.deepEqual(messages(await probe('other')), ['configure other other']);
  });

  it('hands the VM configuration to onVmStart as JSON', async () => {
    const host = await FakeHost.load(wasm);
    host.properties.set('plugin_root_id', enc.encode('probe'));
    assert.equal(host.startRoot(1, '', '{"start": false}').vmStart, 0);
    const ok = await FakeHost.load(wasm);
    ok.properties.set('plugin_root_id', enc.encode('probe'));
    assert.equal(ok.startRoot(1, '', '').vmStart, 1);
  });

  it('creates, finishes and deletes stream contexts; onLog reads headers; unknown ids are harmless', async () => {
    const host = await probe();
    host.newStream(2, 1);
    host.requestHeaders(2, [[':path', '/p'], ['x-a', '1']]);
    assert.equal(host.exports.probe_live!(1), 1);
    assert.equal(host.finish(2), true);
    assert.deepEqual(messages(host).slice(1), ['pairs 2', 'missing null 1', 'log 2 /p', 'delete 2']);
    assert.equal(host.exports.probe_live!(1), 0);
    // Callbacks for contexts the SDK never saw (or a stream of an unknown root) do not trap.
    assert.equal(host.call('proxy_on_request_headers', 99, 0, 0), 0);
    assert.equal(host.call('proxy_on_response_body', 99, 10, 1), 0);
    assert.equal(host.call('proxy_on_done', 99), 1);
    host.call('proxy_on_log', 99);
    host.call('proxy_on_delete', 99);
    host.newStream(7, 42);
    assert.match(messages(host).at(-1)!, /stream context 7 has unknown root 42/);
    host.call('proxy_on_http_call_response', 1, 12345, 1, 0, 0);
  });

  it('defers finalization when onDone returns false, until the context calls done()', async () => {
    const host = await probe();
    host.newStream(2, 1);
    host.requestHeaders(2, [[':path', '/slow'], ['x-defer', '1']]);
    assert.equal(host.finish(2), false);
    host.current = 1;
    assert.equal(host.exports.probe_finish!(2), 0);
    assert.deepEqual(host.done, [2], 'proxy_done ran with the deferred context effective');
    assert.deepEqual(host.effectiveSwitches, [2]);
  });

  it('replaces all pairs with UTF-8 names and values', async () => {
    const host = await probe();
    host.newStream(2, 1);
    host.requestHeaders(2, [[':path', '/'], ['x-replace', '1']]);
    assert.deepEqual(host.stream(2).maps[0], [[':path', '/replaced'], ['x-ü', 'ü✓']]);
  });

  it('keeps argument memory intact when the host re-enters the module during a call', async () => {
    const host = await probe();
    host.onLocalResponse = (context) => {
      host.responseHeaders(context, [[':status', '418']]);
    };
    host.newStream(2, 1);
    assert.equal(host.requestHeaders(2, [[':path', '/'], ['x-local', '1']]), 1);
    const r = host.localResponses[0]!;
    assert.deepEqual([r.status, r.body, r.details, r.grpcStatus >>> 0], [418, 'teapot', '', 0xffffffff]);
    assert.deepEqual(r.headers, [['x-local', 'yes']]);
    assert.equal(host.header(2, 2, 'x-response-seen'), '2');
    assert.equal(host.header(2, 0, 'x-after-local'), 'intact-0');
  });

  it('routes gRPC call and stream events to their callbacks and forgets finished calls', async () => {
    const host = await probe();
    host.exports.probe_grpc!(1);
    const [call, stream] = host.grpcCalls;
    assert.deepEqual([call!.service, call!.method, call!.stream], ['users.v1.Users', 'Get', false]);
    assert.deepEqual(call!.metadata, [['x-tenant', 't1']]);
    assert.equal(new TextDecoder().decode(call!.message!), 'req');
    assert.equal(stream!.stream, true);
    assert.equal(new TextDecoder().decode(host.grpcSent[0]!.message), 'hello');
    assert.equal(messages(host).at(-1), `grpc 0 0 0 ${stream!.id}`);
    assert.equal(host.exports.probe_pending!(), 2);

    host.globalMaps[4] = [['x-md', 'v']];
    host.call('proxy_on_grpc_receive_initial_metadata', 1, call!.id, 1);
    host.globalBuffers[5] = enc.encode('reply');
    host.call('proxy_on_grpc_receive', 1, call!.id, 5);
    host.call('proxy_on_grpc_receive', 1, call!.id, 5); // a unary call is over after its message
    host.globalBuffers[5] = enc.encode('event-1');
    host.call('proxy_on_grpc_receive', 1, stream!.id, 7);
    host.call('proxy_on_grpc_receive_trailing_metadata', 1, stream!.id, 0);
    assert.equal(host.exports.probe_grpc_cancel!(1), 0);
    assert.deepEqual(host.grpcCancelled, [stream!.id]);
    host.callStatus = { code: 14, message: 'unavailable' };
    host.call('proxy_on_grpc_close', 1, stream!.id, 14);
    host.call('proxy_on_grpc_close', 1, stream!.id, 14);
    assert.deepEqual(messages(host).slice(-5), [
      'call initial 1 v', 'call message reply', 'stream message event-1', 'stream trailing 0', 'stream close 14 unavailable',
    ]);
    assert.equal(host.exports.probe_pending!(), 0);
  });

  it('registers, resolves and drains shared queues on queue-ready', async () => {
    const host = await probe();
    host.exports.probe_queue!();
    assert.equal(messages(host).at(-1), 'queue same none 1');
    const [id] = [...host.queues.keys()];
    host.call('proxy_on_queue_ready', 1, id!);
    assert.deepEqual(messages(host).slice(-3), ['dequeued a', 'dequeued b', 'queue drained 7']);
  });

  it('reads typed properties and reports NotFound and size mismatches as statuses', async () => {
    const host = await probe();
    const size = new Uint8Array(8);
    new DataView(size.buffer).setBigInt64(0, 1234n, true);
    host.properties.set(propertyKey('request', 'path'), enc.encode('/v1/items'));
    host.properties.set(propertyKey('request', 'size'), size);
    host.properties.set(propertyKey('connection', 'mtls'), new Uint8Array([1]));
    host.properties.set(propertyKey('request', 'headers'), serializePairs([['host', 'example.com'], ['x', 'y']]));
    host.exports.probe_properties!();
    assert.deepEqual(messages(host).slice(1), [
      'path /v1/items', 'size 1234', 'mtls true', 'map 2 host=example.com', 'missing null 1', 'wrong size 7 3', 'set 0',
    ]);
    assert.equal(new TextDecoder().decode(host.properties.get(propertyKey('filter_state', 'tenant'))), 'acme');
  });

  it('reads the environment, clocks, randomness and foreign functions; console logs via proxy_log', async () => {
    const host = await probe();
    host.env = ['REGION=eu-west', 'MISSINGNO=1'];
    host.exports.probe_system!();
    assert.deepEqual(messages(host).slice(1), [
      'env eu-west null', 'random 16 in in', 'clock epoch monotonic', 'ffi cba null 1', 'console routed',
    ]);
  });

  it('returns shared-data and metric statuses instead of trapping', async () => {
    const host = await probe();
    host.exports.probe_shared_and_metrics!();
    assert.deepEqual(messages(host).slice(1), ['shared missing 1 absent', 'cas 8 0 v3', 'metrics 5 7 defined']);
    const byName = new Map([...host.metrics.values()].map((m) => [m.name, m]));
    assert.equal(byName.get('h')!.value, 42n);
    assert.deepEqual([...host.metrics.values()].map((m) => m.type), [0, 1, 2]);
  });
});
