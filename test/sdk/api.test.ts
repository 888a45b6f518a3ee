// The SDK's dispatcher and API surface on the proxy's own Wasm host (through the harness), with a
// test-only filter (assembly/api-probe.ts): root ids, lifecycle, deferred done, unknown ids, gRPC,
// queues, properties, environment, clocks, randomness, FFI, shared data statuses and metrics.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFilter, FilterHarness, loadFilter, PluginStartError, weftRoot, type FilterModule, type HarnessOptions } from '../../sdk/testing/index.js';

let filter: FilterModule;

async function probe(options: HarnessOptions = {}): Promise<FilterHarness> {
  return filter.start({ rootId: 'probe', configuration: 'cfg', vmId: 'vm', ...options });
}

function said(h: FilterHarness): string[] {
  return h.logMessages('info');
}

describe('SDK dispatcher and API on the real host', () => {
  before(async () => {
    const built = await buildFilter(join(weftRoot, 'test', 'sdk', 'assembly'), { entries: ['api-probe.ts'] });
    filter = await loadFilter(built);
  });

  it('picks the root context by plugin_root_id when several are registered', async () => {
    const a = await probe();
    assert.deepEqual(said(a), ['configure probe cfg']);
    const b = await probe({ rootId: 'other' });
    assert.deepEqual(said(b), ['configure other other']);
    a.close();
    b.close();
  });

  it('hands the VM configuration to onVmStart as JSON; false fails the start', async () => {
    await assert.rejects(probe({ vmConfiguration: { start: false } }), (e: unknown) => e instanceof PluginStartError && /on_vm_start returned false/.test(e.message));
    (await probe({ vmConfiguration: '' })).close();
  });

  it('creates, finishes and deletes stream contexts; onLog reads headers; unknown ids are harmless', async () => {
    const h = await probe();
    const s = h.http();
    s.sendRequestHeaders({ ':path': '/p', 'x-a': '1' });
    assert.equal(h.callExport('probe_live', 1), 1);
    s.reset();
    const ids = said(h).slice(1);
    assert.equal(ids.length, 4);
    const id = /^log (\d+) \/p$/.exec(ids[2]!)?.[1];
    assert.ok(id, ids.join('|'));
    assert.deepEqual(ids, ['pairs 5', 'missing null 1', `log ${id} /p`, `delete ${id}`]);
    assert.equal(h.callExport('probe_live', 1), 0);
    // Callbacks for contexts the SDK never saw (or a stream of an unknown root) do not trap.
    assert.equal(h.callExport('proxy_on_request_headers', 99, 0, 0), 0);
    assert.equal(h.callExport('proxy_on_response_body', 99, 10, 1), 0);
    assert.equal(h.callExport('proxy_on_done', 99), 1);
    h.callExport('proxy_on_log', 99);
    h.callExport('proxy_on_delete', 99);
    h.callExport('proxy_on_context_create', 77, 42);
    assert.match(h.logMessages().at(-1)!, /stream context 77 has unknown root 42/);
    h.callExport('proxy_on_http_call_response', h.plugin.root!.id, 12345, 1, 0, 0);
    assert.equal(h.failed, false);
    h.close();
  });

  it('defers finalization when onDone returns false, until the context calls done()', async () => {
    const h = await probe();
    const s = h.http();
    s.sendRequestHeaders({ ':path': '/slow', 'x-defer': '1' }, true);
    s.sendResponseHeaders({ ':status': '200' }, true);
    assert.ok(s.completed);
    assert.equal(said(h).filter((m) => m.startsWith('log')).length, 0, 'on_log waits for proxy_done');
    const id = Number([...h.plugin.vm!.pendingDone][0]);
    assert.ok(id > 0);
    assert.equal(h.callExport('probe_finish', id), 0, 'proxy_done is Ok for a context that awaits it');
    assert.deepEqual(said(h).slice(-2), [`log ${id} /slow`, `delete ${id}`]);
    assert.equal(h.callExport('probe_finish', id), 1, 'a finished context is NotFound');
    h.close();
  });

  it('replaces all pairs; UTF-8 values reach the host byte for byte', async () => {
    const h = await probe();
    const s = h.http();
    s.sendRequestHeaders({ ':path': '/', 'x-replace': '1' }, true);
    const list = s.request.headers!.list;
    assert.equal(list.length, 4);
    assert.deepEqual(list.slice(0, 2), [':path', '/replaced']);
    assert.equal(Buffer.from(list[3]!, 'latin1').toString('utf8'), 'ü✓');
    h.close();
  });

  it('sends a local response; arguments written after it land intact (the host defers the reply)', async () => {
    const h = await probe();
    const s = h.http();
    assert.equal(s.sendRequestHeaders({ ':path': '/', 'x-local': '1' }, true), 'stop');
    assert.equal(s.localResponse?.status, 418);
    assert.equal(s.localResponse?.text, 'teapot');
    assert.equal(s.localResponse?.headers.get('x-local'), 'yes');
    assert.equal(s.request.headers?.get('x-after-local'), 'intact-0');
    assert.equal(s.request.headersForwarded, false);
    assert.ok(s.completed);
    h.close();
  });

  it('routes gRPC call and stream events from fake clusters to their callbacks and forgets finished calls', async () => {
    const h = await probe({ clusters: { users: { protocol: 'http2' }, events: { protocol: 'http2' } } });
    h.callExport('probe_grpc', h.plugin.root!.id);
    const call = h.cluster('users').calls[0]!;
    const stream = h.cluster('events').calls[0]!;
    assert.deepEqual(call.grpc, { service: 'users.v1.Users', method: 'Get' });
    assert.equal(call.headers.get('x-tenant'), 't1');
    assert.equal(call.headers.get('grpc-timeout'), '1000m');
    assert.deepEqual(call.grpcMessages().map(String), ['req']);
    assert.equal(call.requestEnded, true);
    assert.deepEqual(stream.grpc, { service: 'events.v1.Events', method: 'Watch' });
    assert.deepEqual(stream.grpcMessages().map(String), ['hello']);
    assert.equal(stream.requestEnded, false);
    assert.match(said(h).at(-1)!, /^grpc 0 0 0 \d+$/);
    assert.equal(h.callExport('probe_pending'), 2);

    call.respondGrpc({ initialMetadata: { 'x-md': 'v' }, messages: ['reply'] });
    stream.sendGrpcMessage('event-1');
    stream.closeGrpc(14, 'unavailable');
    // A unary call gets its reply without initial-metadata or close callbacks (as on Envoy). A
    // stream's metadata maps are the whole header and trailer blocks, as Envoy passes them:
    // :status and content-type; grpc-status and grpc-message.
    assert.deepEqual(said(h).slice(-5), ['call message reply', 'stream initial 2 -', 'stream message event-1', 'stream trailing 2', 'stream close 14 unavailable']);
    assert.equal(h.callExport('probe_pending'), 0);
    h.close();
  });

  it('cancels a gRPC stream: the host resets it and no callback follows', async () => {
    const h = await probe({ clusters: { users: { protocol: 'http2' }, events: { protocol: 'http2' } } });
    h.callExport('probe_grpc', h.plugin.root!.id);
    const stream = h.cluster('events').calls[0]!;
    assert.equal(h.callExport('probe_grpc_cancel', h.plugin.root!.id), 0);
    assert.equal(stream.state, 'cancelled');
    assert.equal(h.callExport('probe_pending'), 1, 'only the unary call is still out');
    h.cluster('users').calls[0]!.respondGrpc({ status: 5, message: 'no such user' });
    assert.equal(said(h).at(-1), 'call close 5 no such user');
    assert.equal(h.callExport('probe_pending'), 0);
    h.close();
  });

  it('registers, resolves and drains shared queues on queue-ready', async () => {
    const h = await probe();
    h.callExport('probe_queue');
    assert.equal(said(h).at(-1), 'queue same none 1');
    await h.idle();
    assert.deepEqual(said(h).slice(2, 5), ['dequeued a', 'dequeued b', 'queue drained 7']);
    h.close();
  });

  it('reads typed properties from the host and reports NotFound and size mismatches as statuses', async () => {
    const h = await probe();
    const s = h.http({ connection: { tls: { version: 'TLSv1.3', peerVerified: true } } });
    s.sendRequestHeaders([[':method', 'GET'], [':path', '/v1/items'], ['x-props', '1']], true);
    assert.deepEqual(said(h).slice(2, 9), [
      'path /v1/items', 'size 0', 'mtls true', 'map 5 :method=GET', 'missing null 1', 'wrong size 7 3', 'set 0',
    ]);
    assert.equal(Buffer.from(s.info.filterState.get('wasm.filter_state.tenant')!).toString(), 'acme');
    h.close();
  });

  it('reads the environment, clocks, randomness and foreign functions; console logs via proxy_log', async () => {
    const h = await probe({
      env: { REGION: 'eu-west', MISSINGNO: '1' },
      foreignFunctions: new Map([['reverse', (args: Uint8Array) => Uint8Array.from(args).reverse()]]),
    });
    h.callExport('probe_system');
    assert.deepEqual(said(h).slice(1), ['env eu-west null', 'random 16 in in', 'clock epoch monotonic', 'ffi cba null 1', 'console routed']);
    h.close();
  });

  it('returns shared-data and metric statuses instead of trapping', async () => {
    const h = await probe();
    h.callExport('probe_shared_and_metrics');
    assert.deepEqual(said(h).slice(1), ['shared missing 1 absent', 'cas 8 0 v3', 'metrics 5 7 defined']);
    assert.deepEqual(h.metrics(), [
      { name: 'c_total', type: 'counter', value: 5, count: 0 },
      { name: 'g', type: 'gauge', value: 7, count: 0 },
      { name: 'h', type: 'histogram', value: 42, count: 1 },
    ]);
    h.close();
  });
});
