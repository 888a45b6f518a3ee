// The SDK's dispatcher against host behaviour Weft's own host never shows, on the FAKE in-test host
// (fake-host.ts): a host that re-enters the module from proxy_send_local_response, and gRPC events
// repeated after a call ended. Everything else runs on the real host in api.test.ts.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFilter, weftRoot } from '../../sdk/testing/index.js';
import { FakeHost } from './fake-host.js';

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

describe('SDK dispatcher on a FAKE host that re-enters and repeats', () => {
  before(async () => {
    wasm = (await buildFilter(join(weftRoot, 'test', 'sdk', 'assembly'), { entries: ['api-probe.ts'] })).wasm;
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

  it('ignores gRPC events for calls that ended or were cancelled', async () => {
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
    // After cancel() the SDK has forgotten the stream: a close the host sends anyway is dropped.
    assert.deepEqual(messages(host).slice(-4), ['call initial 1 v', 'call message reply', 'stream message event-1', 'stream trailing 0']);
    assert.equal(host.exports.probe_pending!(), 0);
  });
});
