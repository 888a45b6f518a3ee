import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBenchFilter } from './bench-filters.js';

// The slice of the WebAssembly JS API this test uses (the build's lib has no WebAssembly types).
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  Module: { imports(m: object): { module: string; name: string }[] };
  instantiate(m: object, imports: object): Promise<{ exports: Record<string, unknown> }>;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Instantiates a bench filter with a recording stand-in for the one host call it imports (a fake
 * host, named as such: this checks the module, the real host runs it in the bench's Weft rows).
 */
async function instantiate(bytes: Uint8Array): Promise<{ exports: Record<string, CallableFunction>; memory: { buffer: ArrayBuffer }; calls: number[][] }> {
  const calls: number[][] = [];
  const mod = await WA.compile(bytes);
  assert.deepEqual(WA.Module.imports(mod).map((i) => `${i.module}.${i.name}`), ['env.proxy_add_header_map_value']);
  const inst = await WA.instantiate(mod, { env: { proxy_add_header_map_value: (...a: number[]) => (calls.push(a), 0) } });
  const ex = inst.exports;
  return { exports: ex as Record<string, CallableFunction>, memory: ex.memory as { buffer: ArrayBuffer }, calls };
}

test('bench filters export the proxy-wasm 0.2.1 lifecycle and continue on request headers', async () => {
  for (const kind of [{ kind: 'noop' }, { kind: 'add-header', name: 'x-bench-1', value: 'weft' }] as const) {
    const { exports } = await instantiate(await compileBenchFilter(kind));
    for (const name of ['proxy_abi_version_0_2_1', 'proxy_on_memory_allocate', 'proxy_on_context_create', 'proxy_on_vm_start', 'proxy_on_configure', 'proxy_on_request_headers', 'proxy_on_done']) {
      assert.equal(typeof exports[name], 'function', `${kind.kind}: ${name}`);
    }
    assert.equal(exports.proxy_on_vm_start!(1, 0), 1);
    assert.equal(exports.proxy_on_configure!(1, 0), 1);
    assert.equal(exports.proxy_on_request_headers!(2, 10, 0), 0, 'Continue');
    const p = exports.proxy_on_memory_allocate!(100) as number;
    assert.ok(p >= 65536 && p % 8 === 0);
    assert.ok((exports.proxy_on_memory_allocate!(10) as number) >= p + 100);
  }
});

test('the no-op filter calls nothing; the header filter adds its one request header per request', async () => {
  const noop = await instantiate(await compileBenchFilter({ kind: 'noop' }));
  noop.exports.proxy_on_request_headers!(2, 10, 0);
  assert.equal(noop.calls.length, 0);

  const add = await instantiate(await compileBenchFilter({ kind: 'add-header', name: 'x-bench-2', value: 'on' }));
  add.exports.proxy_on_request_headers!(2, 10, 0);
  add.exports.proxy_on_request_headers!(3, 10, 0);
  assert.equal(add.calls.length, 2);
  const [mapType, kp, kl, vp, vl] = add.calls[0]!;
  assert.equal(mapType, 0, 'request headers');
  const text = (p: number, l: number): string => Buffer.from(add.memory.buffer, p, l).toString('latin1');
  assert.equal(text(kp!, kl!), 'x-bench-2');
  assert.equal(text(vp!, vl!), 'on');
});
