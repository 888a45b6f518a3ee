// Per-function conformance of the proxy-wasm host functions: statuses, serialization, availability by context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status, MapType, BufferType, StreamType, MetricType } from '../../proxy/wasm/abi.js';
import { serializePairs, parsePairs } from '../../proxy/wasm/pairs.js';
import { HttpContext, TcpContext } from '../../proxy/wasm/context.js';
import { probeHost } from './probe-host.js';
import { CB } from './probe.js';
import { TestStream, requestHeaders, body, sleep, testConnection } from './helpers.js';
import { FilterAction } from '../../proxy/http/filter.js';
import type { NetworkFilterCallbacks } from '../../proxy/tcp/network-filter.js';

const BAD_PTR = 0x7fff_fff0;

test('proxy_log: levels, bad level, bad pointer; lines carry the plugin name', async () => {
  const h = await probeHost();
  const [p, n] = h.put('hello from wasm');
  for (let level = 0; level <= 5; level++) assert.equal(h.call('log', level, p, n), Status.Ok);
  assert.equal(h.call('log', 6, p, n), Status.BadArgument);
  assert.equal(h.call('log', 2, BAD_PTR, 100), Status.InvalidMemoryAccess);
  const line = h.lines().find((l) => l.msg === 'hello from wasm' && l.level === 'info');
  assert.ok(line);
  assert.equal(line.plugin, 'probe');
  assert.equal(line.component, 'wasm');
  const r = h.ret();
  assert.equal(h.call('get_log_level', r), Status.Ok);
  assert.equal(h.u32(r), 0, 'trace');
  assert.equal(h.call('get_log_level', BAD_PTR), Status.InvalidMemoryAccess);
});

test('clock and time', async () => {
  const h = await probeHost();
  const r = h.ret();
  assert.equal(h.call('get_current_time_nanoseconds', r), Status.Ok);
  const ns = h.u64(r);
  assert.ok(Math.abs(Number(ns / 1_000_000n) - Date.now()) < 5000);
  assert.equal(h.call('get_current_time_nanoseconds', BAD_PTR), Status.InvalidMemoryAccess);
});

test('configuration buffers: VM config always, plugin config only in on_configure; bad type', async () => {
  let seenInConfigure: Buffer | undefined;
  const h = await probeHost();
  const r = h.ret();
  assert.equal(h.call('get_buffer_bytes', BufferType.VmConfiguration, 0, 100, r, r + 4), Status.Ok);
  assert.equal(h.out(r).toString(), 'vm-config');
  assert.equal(h.call('get_buffer_bytes', BufferType.PluginConfiguration, 0, 100, r, r + 4), Status.NotFound);
  assert.equal(h.call('get_buffer_bytes', 9, 0, 100, r, r + 4), Status.BadArgument);
  assert.equal(h.call('get_buffer_bytes', BufferType.VmConfiguration, 0, 100, BAD_PTR, r + 4), Status.InvalidMemoryAccess);
  // clamping: start beyond the end gives 0 bytes; max_size clamps
  assert.equal(h.call('get_buffer_bytes', BufferType.VmConfiguration, 3, 2, r, r + 4), Status.Ok);
  assert.equal(h.out(r).toString(), 'co');
  // nothing to copy (start at or past the end, or max_size 0): Ok, ptr and size left as they were (Envoy)
  h.vm.setU32(r, 0xabcd);
  h.vm.setU32(r + 4, 0x1234);
  assert.equal(h.call('get_buffer_bytes', BufferType.VmConfiguration, 100, 2, r, r + 4), Status.Ok);
  assert.equal(h.call('get_buffer_bytes', BufferType.VmConfiguration, 0, 0, r, r + 4), Status.Ok);
  assert.deepEqual([h.u32(r), h.u32(r + 4)], [0xabcd, 0x1234]);
  assert.equal(h.call('get_buffer_bytes', BufferType.VmConfiguration, 0xffffffff, 2, r, r + 4), Status.BadArgument);
  assert.equal(h.call('get_buffer_status', BufferType.VmConfiguration, r, r + 4), Status.Ok);
  assert.equal(h.u32(r), 9);
  // a second plugin start reads its configuration inside on_configure
  const h2 = await probeHost();
  void h2;
  h.hook = (code) => {
    if (code !== CB.configure) return;
    const q = h.ret();
    assert.equal(h.call('get_buffer_bytes', BufferType.PluginConfiguration, 0, 1000, q, q + 4), Status.Ok);
    seenInConfigure = h.out(q);
  };
  const { RootContext } = await import('../../proxy/wasm/context.js');
  const root = new RootContext(h.vm, h.plugin.spec);
  assert.equal(root.start(), undefined);
  assert.equal(seenInConfigure?.toString(), '{"plugin":true}');
  assert.equal(h.call('set_buffer_bytes', BufferType.VmConfiguration, 0, 0, ...h.put('x')), Status.BadArgument);
});

test('header maps in on_request_headers: get, add, replace, remove (absent is Ok), pairs, size, bad type', async () => {
  const h = await probeHost();
  const s = new TestStream();
  const filter = h.plugin.http.create(s);
  const headers = requestHeaders([['x-a', '1'], ['x-a', '2'], ['x-b', 'bee']]);
  let pairsBytes: Buffer | undefined;
  h.hook = (code) => {
    if (code !== CB.request_headers) return;
    const r = h.ret();
    assert.equal(h.call('get_header_map_value', MapType.HttpRequestHeaders, ...h.put('X-B'), r, r + 4), Status.Ok);
    assert.equal(h.out(r).toString(), 'bee');
    assert.equal(h.call('get_header_map_value', MapType.HttpRequestHeaders, ...h.put('x-a'), r, r + 4), Status.Ok);
    assert.equal(h.out(r).toString(), '1', 'first value');
    assert.equal(h.call('get_header_map_value', MapType.HttpRequestHeaders, ...h.put('missing'), r, r + 4), Status.NotFound);
    assert.equal(h.call('get_header_map_value', 8, ...h.put('x-a'), r, r + 4), Status.BadArgument);
    assert.equal(h.call('get_header_map_value', MapType.HttpRequestHeaders, BAD_PTR, 4, r, r + 4), Status.InvalidMemoryAccess);
    assert.equal(h.call('get_header_map_value', MapType.HttpRequestHeaders, ...h.put('x-a'), BAD_PTR, r + 4), Status.InvalidMemoryAccess);
    // response headers do not exist yet
    assert.equal(h.call('get_header_map_value', MapType.HttpResponseHeaders, ...h.put('x'), r, r + 4), Status.BadArgument);
    assert.equal(h.call('get_header_map_pairs', MapType.HttpResponseHeaders, r, r + 4), Status.Ok);
    assert.equal(h.u32(r + 4), 0);
    assert.equal(h.call('add_header_map_value', MapType.HttpResponseHeaders, ...h.put('x'), ...h.put('y')), Status.BadArgument);
    assert.equal(h.call('add_header_map_value', MapType.HttpRequestHeaders, ...h.put('X-New'), ...h.put('v')), Status.Ok);
    assert.equal(h.call('replace_header_map_value', MapType.HttpRequestHeaders, ...h.put('x-a'), ...h.put('3')), Status.Ok);
    assert.equal(h.call('remove_header_map_value', MapType.HttpRequestHeaders, ...h.put('x-b')), Status.Ok);
    assert.equal(h.call('remove_header_map_value', MapType.HttpRequestHeaders, ...h.put('never-there')), Status.Ok);
    assert.equal(h.call('get_header_map_pairs', MapType.HttpRequestHeaders, r, r + 4), Status.Ok);
    pairsBytes = h.out(r);
    assert.equal(h.call('get_header_map_size', MapType.HttpRequestHeaders, r), Status.Ok);
    assert.equal(h.u32(r), pairsBytes.length);
    assert.equal(h.call('get_header_map_pairs', 9, r, r + 4), Status.BadArgument);
  };
  assert.equal(filter.onRequestHeaders!(headers, true), FilterAction.Continue);
  assert.deepEqual(headers.getAll('x-a'), ['3']);
  assert.equal(headers.get('x-b'), undefined);
  assert.equal(headers.get('x-new'), 'v');
  assert.deepEqual(parsePairs(pairsBytes!), headers.list);
  assert.deepEqual(pairsBytes, serializePairs(headers.list));
  // after Continue, the request headers are read-only
  h.hook = (code) => {
    if (code !== CB.response_headers) return;
    assert.equal(h.call('add_header_map_value', MapType.HttpRequestHeaders, ...h.put('late'), ...h.put('1')), Status.BadArgument);
    const r = h.ret();
    assert.equal(h.call('get_header_map_value', MapType.HttpRequestHeaders, ...h.put(':path'), r, r + 4), Status.Ok);
    assert.equal(h.out(r).toString(), '/a?b=1');
  };
  s.resHeaders = requestHeaders();
  filter.onResponseHeaders!(s.resHeaders, true);
});

test('pair serialization matches the spec example and round-trips', () => {
  const bytes = serializePairs(['a', '1', 'b', '22']);
  assert.deepEqual([...bytes], [2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0x61, 0, 0x31, 0, 0x62, 0, 0x32, 0x32, 0]);
  assert.deepEqual(parsePairs(bytes), ['a', '1', 'b', '22']);
  assert.deepEqual(parsePairs(new Uint8Array(0)), []);
  assert.deepEqual(parsePairs(Uint8Array.of(0)), []);
  assert.equal(parsePairs(Uint8Array.of(5, 0, 0, 0, 1)), undefined);
  // bytes 0x80-0xff survive (latin1 strings hold raw header bytes)
  const raw = ['k', '\u00e9\u00ff'];
  assert.deepEqual(parsePairs(serializePairs(raw)), raw);
});

test('set_header_map_pairs replaces the map; malformed input is BadArgument', async () => {
  const h = await probeHost();
  const s = new TestStream();
  const filter = h.plugin.http.create(s);
  const headers = requestHeaders([['x-old', '1']]);
  h.hook = (code) => {
    if (code !== CB.request_headers) return;
    assert.equal(h.call('set_header_map_pairs', MapType.HttpRequestHeaders, ...h.put(serializePairs([':method', 'POST', ':path', '/new', 'x-set', 'yes']))), Status.Ok);
    assert.equal(h.call('set_header_map_pairs', MapType.HttpRequestHeaders, ...h.put(Uint8Array.of(9, 0, 0, 0))), Status.BadArgument);
  };
  filter.onRequestHeaders!(headers, true);
  assert.deepEqual(headers.list, [':method', 'POST', ':path', '/new', 'x-set', 'yes']);
});

test('bodies: read, modify, trailers added in the last body callback, NotFound outside', async () => {
  const h = await probeHost();
  const s = new TestStream();
  const filter = h.plugin.http.create(s);
  filter.onRequestHeaders!(requestHeaders(), false);
  const b = body('hello world');
  h.hook = (code, args) => {
    if (code !== CB.request_body) return;
    assert.equal(args[1], 11);
    assert.equal(args[2], 1, 'end_of_stream');
    const r = h.ret();
    assert.equal(h.call('get_buffer_bytes', BufferType.HttpRequestBody, 0, 5, r, r + 4), Status.Ok);
    assert.equal(h.out(r).toString(), 'hello');
    assert.equal(h.call('set_buffer_bytes', BufferType.HttpRequestBody, 0, 5, ...h.put('HOWDY')), Status.Ok);
    assert.equal(h.call('set_buffer_bytes', BufferType.HttpRequestBody, 0xffffffff, 0, ...h.put('!')), Status.Ok);
    assert.equal(h.call('add_header_map_value', MapType.HttpRequestTrailers, ...h.put('x-trailer'), ...h.put('t')), Status.Ok);
    assert.equal(h.call('get_buffer_status', BufferType.HttpResponseBody, r, r + 4), Status.NotFound);
  };
  assert.equal(filter.onRequestBody!(b, true), FilterAction.Continue);
  assert.equal(b.toBuffer().toString(), 'HOWDY world!');
  assert.equal(s.reqTrailers?.get('x-trailer'), 't');
  const r = h.ret();
  h.ctx = undefined;
  assert.equal(h.call('get_buffer_bytes', BufferType.HttpRequestBody, 0, 5, r, r + 4), Status.NotFound);
});

test('stream control: pause, continue from outside a callback, bad stream type, local response', async () => {
  const h = await probeHost();
  const s = new TestStream();
  const filter = h.plugin.http.create(s);
  const exports = h.vm.rawExports as { ret: WebAssembly.Global };
  exports.ret.value = 1;
  assert.equal(filter.onRequestHeaders!(requestHeaders(), true), FilterAction.Stop);
  const ctx = [...h.vm.contexts.values()].find((c) => c instanceof HttpContext)!;
  h.ctx = ctx;
  assert.equal(h.call('continue_stream', 7), Status.BadArgument);
  assert.equal(h.call('close_stream', 9), Status.BadArgument);
  assert.equal(h.call('continue_stream', StreamType.HttpRequest), Status.Ok);
  assert.equal(s.continued.request, 1);
  // continue asked inside the callback turns Stop into Continue
  const s2 = new TestStream();
  const f2 = h.plugin.http.create(s2);
  h.hook = (code) => {
    if (code === CB.request_headers) assert.equal(h.call('continue_stream', StreamType.HttpRequest), Status.Ok);
  };
  h.ctx = undefined;
  assert.equal(f2.onRequestHeaders!(requestHeaders(), true), FilterAction.Continue);
  // local response
  const s3 = new TestStream();
  const f3 = h.plugin.http.create(s3);
  exports.ret.value = 0;
  h.hook = (code) => {
    if (code !== CB.request_headers) return;
    assert.equal(h.call('send_local_response', 403, ...h.put('denied by probe'), ...h.put('nope'), ...h.put(serializePairs(['x-why', 'policy'])), -1), Status.Ok);
  };
  assert.equal(f3.onRequestHeaders!(requestHeaders(), true), FilterAction.Stop);
  assert.equal(s3.replies.length, 1);
  assert.equal(s3.replies[0]!.status, 403);
  assert.equal(Buffer.from(s3.replies[0]!.body as Uint8Array).toString(), 'nope');
  assert.deepEqual(s3.replies[0]!.headers, [['x-why', 'policy']]);
  assert.equal(s3.replies[0]!.details, 'denied_by_probe');
  assert.equal(s3.replies[0]!.grpcStatus, undefined);
  // close_stream resets
  const s4 = new TestStream();
  const f4 = h.plugin.http.create(s4);
  h.hook = (code) => {
    if (code === CB.request_headers) assert.equal(h.call('close_stream', StreamType.HttpRequest), Status.Ok);
  };
  f4.onRequestHeaders!(requestHeaders(), true);
  assert.equal(s4.resets, 1);
});

test('context lifecycle: on_done, on_log, on_delete; on_done=false waits for proxy_done', async () => {
  const h = await probeHost();
  const seen: number[] = [];
  h.hook = (code) => seen.push(code);
  const s = new TestStream();
  const f = h.plugin.http.create(s);
  f.onStreamComplete!();
  assert.deepEqual(seen, [CB.context_create, CB.done, CB.log, CB.delete]);
  seen.length = 0;
  const exports = h.vm.rawExports as { done_ret: WebAssembly.Global };
  exports.done_ret.value = 0;
  const f2 = h.plugin.http.create(new TestStream());
  const ctx2 = [...h.vm.contexts.values()].at(-1)!;
  f2.onStreamComplete!();
  assert.deepEqual(seen, [CB.context_create, CB.done]);
  h.ctx = ctx2;
  assert.equal(h.call('done'), Status.Ok);
  assert.deepEqual(seen, [CB.context_create, CB.done, CB.log, CB.delete]);
  assert.equal(h.vm.contexts.has(ctx2.id), false);
  h.ctx = undefined;
  assert.equal(h.call('done'), Status.NotFound, 'the root context is not pending');
  assert.equal(h.call('set_effective_context', 9999), Status.BadArgument);
  assert.equal(h.call('set_effective_context', h.plugin.root!.id), Status.Ok);
});

test('properties: well-known values, serialization, filter state', async () => {
  const h = await probeHost({ node: { id: 'node-1', service: 'web', metadata: { zone: 'a' } } });
  const s = new TestStream();
  const f = h.plugin.http.create(s);
  const path = (...p: string[]) => h.put(p.join('\0'));
  h.hook = (code) => {
    if (code !== CB.request_headers) return;
    const r = h.ret();
    const get = (...p: string[]) => {
      const st = h.call('get_property', ...path(...p), r, r + 4);
      return st === Status.Ok ? h.out(r) : st;
    };
    assert.equal(get('plugin_name').toString(), 'probe');
    assert.equal(get('plugin_vm_id').toString(), 'vm1');
    assert.equal(get('request', 'path').toString(), '/a?b=1');
    assert.equal(get('request', 'url_path').toString(), '/a');
    assert.equal(get('request', 'query').toString(), 'b=1');
    assert.equal(get('request', 'method').toString(), 'GET');
    assert.equal((get('source', 'port') as Buffer).readBigInt64LE(0), 40000n);
    assert.equal(get('source', 'address').toString(), '10.0.0.1:40000');
    assert.deepEqual([...(get('connection', 'mtls') as Buffer)], [0]);
    assert.equal((get('connection', 'id') as Buffer).readBigUInt64LE(0), 7n);
    assert.equal((get('request', 'time') as Buffer).length, 8);
    assert.deepEqual(parsePairs(get('request', 'headers') as Buffer), requestHeaders().list);
    assert.equal(get('request', 'headers', ':authority').toString(), 'example.test');
    assert.equal(get('node', 'id').toString(), 'node-1');
    assert.equal(get('no_such_thing'), Status.NotFound);
    assert.equal(get('request', 'nope'), Status.NotFound);
    assert.equal(h.call('set_property', ...path('my_key'), ...h.put('my value')), Status.Ok);
    assert.equal(get('my_key').toString(), 'my value');
    assert.equal(h.call('get_property', BAD_PTR, 4, r, r + 4), Status.InvalidMemoryAccess);
  };
  f.onRequestHeaders!(requestHeaders(), true);
  assert.deepEqual(Buffer.from(s.info.filterState.get('wasm.my_key')!).toString(), 'my value');
  h.hook = () => {};
  assert.equal(h.call('set_property', ...path('x'), ...h.put('y')), Status.NotFound, 'no stream in the root context');
});

test('shared data: NotFound, set/get, CAS mismatch', async () => {
  const h = await probeHost();
  const r = h.ret();
  assert.equal(h.call('get_shared_data', ...h.put('k'), r, r + 4, r + 8), Status.NotFound);
  assert.equal(h.call('set_shared_data', ...h.put('k'), ...h.put('v1'), 0), Status.Ok);
  assert.equal(h.call('get_shared_data', ...h.put('k'), r, r + 4, r + 8), Status.Ok);
  assert.equal(h.out(r).toString(), 'v1');
  const cas = h.u32(r + 8);
  assert.ok(cas !== 0);
  assert.equal(h.call('set_shared_data', ...h.put('k'), ...h.put('v2'), cas + 1000), Status.CasMismatch);
  assert.equal(h.call('set_shared_data', ...h.put('k'), ...h.put('v2'), cas), Status.Ok);
  assert.equal(h.call('set_shared_data', ...h.put('k'), ...h.put('v3'), cas), Status.CasMismatch, 'the CAS changed with the write');
  assert.equal(h.call('set_shared_data', BAD_PTR, 3, ...h.put('v')), Status.InvalidMemoryAccess);
});

test('shared queues: register, resolve, enqueue notifies the registering root, dequeue, Empty, NotFound', async () => {
  const h = await probeHost();
  const r = h.ret();
  assert.equal(h.call('resolve_shared_queue', ...h.put('vm1'), ...h.put('q'), r), Status.NotFound);
  assert.equal(h.call('register_shared_queue', ...h.put('q'), r), Status.Ok);
  const token = h.u32(r);
  assert.ok(token > 0);
  assert.equal(h.call('resolve_shared_queue', ...h.put(''), ...h.put('q'), r), Status.Ok);
  assert.equal(h.u32(r), token);
  const ready = new Promise<number[]>((resolve) => {
    h.hook = (code, args) => code === CB.queue_ready && resolve(args);
  });
  assert.equal(h.call('enqueue_shared_queue', token, ...h.put('item')), Status.Ok);
  const args = await ready;
  assert.equal(args[1], token);
  assert.equal(args[0], h.plugin.root!.id);
  assert.equal(h.call('dequeue_shared_queue', token, r, r + 4), Status.Ok);
  assert.equal(h.out(r).toString(), 'item');
  assert.equal(h.call('dequeue_shared_queue', token, r, r + 4), Status.Empty);
  assert.equal(h.call('dequeue_shared_queue', 999, r, r + 4), Status.NotFound);
  assert.equal(h.call('enqueue_shared_queue', 999, ...h.put('x')), Status.NotFound);
});

test('metrics: define, increment, record, get; statuses; exported with the plugin label', async () => {
  const h = await probeHost();
  const r = h.ret();
  assert.equal(h.call('define_metric', MetricType.Counter, ...h.put('requests.total'), r), Status.Ok);
  const counter = h.u32(r);
  assert.equal(h.call('define_metric', MetricType.Gauge, ...h.put('inflight'), r), Status.Ok);
  const gauge = h.u32(r);
  assert.equal(h.call('define_metric', MetricType.Histogram, ...h.put('latency'), r), Status.Ok);
  const hist = h.u32(r);
  assert.equal(h.call('define_metric', 3, ...h.put('bad'), r), Status.BadArgument);
  assert.equal(h.call('increment_metric', counter, 5n), Status.Ok);
  assert.equal(h.call('increment_metric', counter, -1n), Status.BadArgument);
  assert.equal(h.call('increment_metric', gauge, -3n), Status.Ok);
  assert.equal(h.call('record_metric', hist, 42n), Status.Ok);
  assert.equal(h.call('increment_metric', hist, 1n), Status.BadArgument);
  assert.equal(h.call('get_metric', counter, r), Status.Ok);
  assert.equal(h.u64(r), 5n);
  assert.equal(h.call('record_metric', gauge, 9n), Status.Ok);
  assert.equal(h.call('get_metric', gauge, r), Status.Ok);
  assert.equal(h.u64(r), 9n);
  assert.equal(h.call('get_metric', hist, r), Status.BadArgument);
  assert.equal(h.call('get_metric', 4000, r), Status.NotFound);
  assert.equal(h.call('record_metric', 4000, 1n), Status.NotFound);
  const text = await h.metrics.registry.metrics();
  assert.match(text, /weft_wasm_requests_total\{plugin="probe"\} 5/);
  assert.match(text, /weft_wasm_inflight\{plugin="probe"\} 9/);
  assert.match(text, /weft_wasm_latency_count\{plugin="probe"\} 1/);
});

test('callouts: unknown cluster is BadArgument (HTTP) and ParseFailure (gRPC); foreign function NotFound', async () => {
  const h = await probeHost();
  const r = h.ret();
  const hdr = serializePairs([':method', 'GET', ':path', '/', ':authority', 'x']);
  assert.equal(h.call('http_call', ...h.put('nowhere'), ...h.put(hdr), 0, 0, 0, 0, 1000, r), Status.BadArgument);
  assert.equal(h.call('grpc_call', ...h.put('nowhere'), ...h.put('svc'), ...h.put('m'), 0, 0, 0, 0, 1000, r), Status.ParseFailure);
  assert.equal(h.call('grpc_stream', ...h.put('nowhere'), ...h.put('svc'), ...h.put('m'), 0, 0, r), Status.ParseFailure);
  assert.equal(h.call('grpc_cancel', 77), Status.NotFound);
  assert.equal(h.call('grpc_close', 77), Status.NotFound);
  assert.equal(h.call('grpc_send', 77, 0, 0, 0), Status.NotFound);
  assert.equal(h.call('call_foreign_function', ...h.put('nope'), 0, 0, r, r + 4), Status.NotFound);
  assert.equal(h.call('http_call', BAD_PTR, 5, ...h.put(hdr), 0, 0, 0, 0, 1000, r), Status.InvalidMemoryAccess);
});

test('timers: set_tick_period drives on_tick on the root context; 0 stops it', async () => {
  const h = await probeHost();
  let ticks = 0;
  h.hook = (code) => {
    if (code === CB.tick) ticks++;
  };
  assert.equal(h.call('set_tick_period_milliseconds', 5), Status.Ok);
  const until = Date.now() + 5000;
  while (ticks < 2 && Date.now() < until) await sleep(5);
  assert.ok(ticks >= 2);
  assert.equal(h.call('set_tick_period_milliseconds', 0), Status.Ok);
  const at = ticks;
  await sleep(30);
  assert.equal(ticks, at);
});

test('TCP contexts: downstream data, continue Upstream is Unimplemented, close', async () => {
  const h = await probeHost();
  let closed = 0;
  const cb: NetworkFilterCallbacks = { connection: testConnection(), upstreamAddress: () => '10.1.1.1:80', continue: () => {}, close: () => void closed++ };
  const f = h.plugin.network.create(cb);
  assert.equal(f.onNewConnection!(), FilterAction.Continue);
  h.hook = (code, args) => {
    if (code !== CB.downstream_data) return;
    assert.equal(args[1], 4);
    const r = h.ret();
    assert.equal(h.call('get_buffer_bytes', BufferType.DownstreamData, 0, 10, r, r + 4), Status.Ok);
    assert.equal(h.out(r).toString(), 'ping');
    assert.equal(h.call('set_buffer_bytes', BufferType.DownstreamData, 0, 4, ...h.put('PONG')), Status.Ok);
    assert.equal(h.call('continue_stream', StreamType.Upstream), Status.Unimplemented);
    assert.equal(h.call('get_buffer_bytes', BufferType.UpstreamData, 0, 10, r, r + 4), Status.NotFound);
  };
  const data = body('ping');
  assert.equal(f.onDownstreamData!(data, false), FilterAction.Continue);
  assert.equal(data.toBuffer().toString(), 'PONG');
  const ctx = [...h.vm.contexts.values()].find((c) => c instanceof TcpContext)!;
  h.ctx = ctx;
  h.hook = () => {};
  assert.equal(h.call('close_stream', StreamType.Downstream), Status.Ok);
  assert.equal(closed, 1);
});

test('ABI 0.2.0 and 0.1.0 modules load', async () => {
  for (const abi of ['proxy_abi_version_0_2_0', 'proxy_abi_version_0_1_0']) {
    const h = await probeHost({ abi });
    assert.ok(h.plugin.root);
  }
});

test('memory.grow between hostcalls: every way the host writes to guest memory still lands (the old buffer is detached)', async () => {
  const h = await probeHost();
  const r = h.ret();
  for (let i = 0; i < 3; i++) {
    h.vm.memory.grow(1);
    assert.equal(h.call('get_buffer_status', BufferType.VmConfiguration, r, r + 4), Status.Ok, 'setU32 through the DataView');
    assert.equal(h.u32(r), 9);
    h.vm.memory.grow(1);
    assert.equal(h.call('get_buffer_bytes', BufferType.VmConfiguration, 0, 100, r, r + 4), Status.Ok, 'copyOut through the byte view');
    assert.equal(h.out(r).toString(), 'vm-config');
    h.vm.memory.grow(1);
    assert.equal(h.call('get_current_time_nanoseconds', r), Status.Ok, 'setU64');
    assert.ok(h.u64(r) > 0n);
  }
});
