// Module checks at load, CPU budget, memory cap, traps (with source lines) and the three fail strategies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileModule } from '../../proxy/wasm/module-loader.js';
import { FilterAction } from '../../proxy/http/filter.js';
import { probeModule } from './probe.js';
import { probeHost } from './probe-host.js';
import { compileAs, wat, TestStream, requestHeaders, sleep } from './helpers.js';

const BASE = `(memory (export "memory") 1) (func (export "proxy_abi_version_0_2_1")) (func (export "malloc") (param i32) (result i32) (i32.const 1024))`;
const opts = { memoryBytes: 1 << 20, metered: false, fuelPerMs: 1 };

test('load: bad bytes, no ABI marker, no allocator, unknown import, wrong signature', async () => {
  await assert.rejects(compileModule(Uint8Array.of(1, 2, 3), opts), /not valid WebAssembly/);
  await assert.rejects(compileModule(await wat(`(module (memory (export "memory") 1) (func (export "malloc") (param i32) (result i32) (i32.const 0)))`), opts), /ABI version marker/);
  await assert.rejects(compileModule(await wat(`(module (memory (export "memory") 1) (func (export "proxy_abi_version_0_2_1")))`), opts), /allocator/);
  await assert.rejects(compileModule(await wat(`(module (import "env" "proxy_teleport" (func)) ${BASE})`), opts), /imports env\.proxy_teleport, which the host does not provide/);
  await assert.rejects(compileModule(await wat(`(module (import "env" "proxy_log" (func (param i32 i32) (result i32))) ${BASE})`), opts), /env\.proxy_log with signature \(i32, i32\) -> \(i32\), but the host's is \(i32, i32, i32\) -> \(i32\)/);
  await assert.rejects(compileModule(await wat(`(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i64))) ${BASE})`), opts), /fd_write/);
  // every WASI function and the toolchain helpers resolve
  const ok = await compileModule(await wat(`(module (import "wasi_snapshot_preview1" "sock_shutdown" (func (param i32 i32) (result i32))) (import "env" "abort" (func (param i32 i32 i32 i32))) ${BASE})`), opts);
  assert.equal(ok.abi, '0.2.1');
});

test('memory cap: the maximum is rewritten, a larger minimum is rejected, memory.grow fails inside the module', async () => {
  await assert.rejects(compileModule(await wat(`(module (memory (export "memory") 40) (func (export "proxy_abi_version_0_2_1")) (func (export "malloc") (param i32) (result i32) (i32.const 0)))`), { ...opts, memoryBytes: 16 * 65536 }), /needs 40 pages at start, more than the limit of 16 pages/);
  const h = await probeHost({ spec: { memoryBytes: 4 * 65536 } });
  const grow = h.vm.memory.grow.bind(h.vm.memory);
  assert.throws(() => grow(3), RangeError, 'beyond the cap');
  // the module's own allocator sees memory.grow fail and returns 0: hostcalls that allocate answer InvalidMemoryAccess
  const r = h.ret();
  const big = h.put('x'.repeat(10));
  void big;
  assert.equal(h.call('get_buffer_bytes', 6, 0, 100, r, r + 4), 0);
});

test('runaway loop: the CPU budget stops it, the VM is failed, traps are counted, other plugins keep running', async () => {
  const src = await wat(`(module
    (memory (export "memory") 1) (func (export "proxy_abi_version_0_2_1")) (func (export "malloc") (param i32) (result i32) (i32.const 1024))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (loop $l (br $l)) (i32.const 0)))`);
  const h = await probeHost({ bytes: src, spec: { callbackCpuMs: 20, failStrategy: 'closed', name: 'spinner' } });
  const s = new TestStream();
  const f = h.plugin.http.create(s);
  const t0 = Date.now();
  assert.equal(f.onRequestHeaders!(requestHeaders(), true), FilterAction.Stop);
  assert.ok(Date.now() - t0 < 10_000);
  assert.equal(s.replies[0]?.status, 503);
  assert.equal(s.replies[0]?.headers?.find(([k]) => k === 'x-weft-error')?.[1], 'wasm_plugin_failed');
  const bodyJson = JSON.parse(Buffer.from(s.replies[0]!.body as Uint8Array).toString()) as { error: string; plugin: string; message: string };
  assert.equal(bodyJson.plugin, 'spinner');
  assert.match(bodyJson.message, /CPU budget exceeded/);
  assert.ok(h.vm.failed);
  const line = h.lines().find((l) => typeof l.msg === 'string' && (l.msg as string).includes('Wasm VM failed'));
  assert.equal(line?.plugin, 'spinner');
  assert.match(await h.metrics.registry.metrics(), /weft_wasm_traps_total\{plugin="spinner"\} 1/);
  // a trapped VM never runs again: new streams get 503 without calling it
  const s2 = new TestStream();
  assert.equal(h.plugin.http.create(s2).onRequestHeaders!(requestHeaders(), true), FilterAction.Stop);
  assert.equal(s2.replies[0]?.status, 503);
  // another plugin is unaffected
  const other = await probeHost();
  assert.equal(other.plugin.http.create(new TestStream()).onRequestHeaders!(requestHeaders(), true), FilterAction.Continue);
});

const TRAPPER = `
@external("env", "proxy_log") declare function proxy_log(level: i32, ptr: usize, size: usize): i32;
export function proxy_abi_version_0_2_1(): void {}
export function malloc(size: usize): usize { return heap.alloc(size); }
let calls = 0;
export function proxy_on_request_headers(id: u32, n: u32, eos: u32): u32 {
  calls++;
  if (calls >= 2) {
    unreachable();
  }
  return 0;
}
`;

test('trap: logged with plugin, message and the AssemblyScript source line; open skips the filter', async () => {
  const { binary, sourceMap } = await compileAs({ 'trapper.ts': TRAPPER }, 'trapper.ts', ['--runtime', 'minimal']);
  assert.ok(sourceMap);
  for (const metered of [false, true]) {
    const module = await compileModule(binary, { memoryBytes: 1 << 20, metered, fuelPerMs: 1000, sourceMap });
    const h = await probeHost({ bytes: binary, spec: { failStrategy: 'open', name: 'trapper', callbackCpuMs: metered ? 100 : 0 } });
    void module;
    // probeHost compiles without the map; attach it by compiling with it through the module loader path
    (h.vm.module as unknown as { sourceMap: unknown }).sourceMap = (module as unknown as { sourceMap: unknown }).sourceMap;
    assert.equal(h.plugin.http.create(new TestStream()).onRequestHeaders!(requestHeaders(), true), FilterAction.Continue);
    const s = new TestStream();
    assert.equal(h.plugin.http.create(s).onRequestHeaders!(requestHeaders(), true), FilterAction.Continue, 'open: the failed filter is skipped');
    assert.equal(s.replies.length, 0);
    const line = h.lines().find((l) => l.trap !== undefined);
    assert.ok(line, 'a trap line');
    assert.equal(line.plugin, 'trapper');
    assert.match(String(line.trap), /unreachable/);
    assert.match(String(line.location), /trapper\.ts:9:\d+/, `metered=${metered}: ${String(line.location)}`);
  }
});

test('fail strategy reload: 503 while down, a new VM after the backoff, restarts counted', async () => {
  const bytes = await probeModule();
  const h = await probeHost({ bytes, spec: { failStrategy: 'reload', name: 'reloader' } });
  const first = h.vm;
  first.fail(new WebAssembly.RuntimeError('injected failure'));
  const s = new TestStream();
  assert.equal(h.plugin.http.create(s).onRequestHeaders!(requestHeaders(), true), FilterAction.Stop);
  assert.equal(s.replies[0]?.status, 503);
  const until = Date.now() + 5000;
  while (!h.plugin.root && Date.now() < until) await sleep(10);
  assert.ok(h.plugin.root, 'the VM was replaced');
  assert.notEqual(h.plugin.vm, first);
  assert.equal(h.plugin.http.create(new TestStream()).onRequestHeaders!(requestHeaders(), true), FilterAction.Continue);
  assert.match(await h.metrics.registry.metrics(), /weft_wasm_vm_restarts_total\{plugin="reloader"\} 1/);
  h.plugin.close();
});

test('a stream held by a plugin whose VM fails is answered (closed) instead of hanging', async () => {
  const h = await probeHost({ spec: { failStrategy: 'closed' } });
  (h.vm.rawExports as { ret: WebAssembly.Global }).ret.value = 1;
  const s = new TestStream();
  assert.equal(h.plugin.http.create(s).onRequestHeaders!(requestHeaders(), true), FilterAction.Stop);
  h.vm.fail(new WebAssembly.RuntimeError('boom'));
  const until = Date.now() + 2000;
  while (s.replies.length === 0 && Date.now() < until) await sleep(5);
  assert.equal(s.replies[0]?.status, 503);
});

test('on_configure returning false and a trap in on_vm_start fail the start', async () => {
  const h = await probeHost();
  (h.vm.rawExports as { configure_ret: WebAssembly.Global }).configure_ret.value = 0;
  const { RootContext } = await import('../../proxy/wasm/context.js');
  assert.match(new RootContext(h.vm, h.plugin.spec).start() ?? '', /proxy_on_configure returned false/);
  (h.vm.rawExports as { vm_start_ret: WebAssembly.Global }).vm_start_ret.value = 0;
  assert.match(new RootContext(h.vm, h.plugin.spec).start() ?? '', /proxy_on_vm_start returned false/);
});
