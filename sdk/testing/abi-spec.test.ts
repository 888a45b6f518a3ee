// checkSpecAbi: accepts a module that speaks only proxy-wasm v0.2.1 and names every departure from it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import wabtInit from 'wabt';
import { checkSpecAbi, HOST_FUNCTIONS } from './abi-spec.js';

async function wat(text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('t.wat', text);
  try {
    return Uint8Array.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

const EXPORTS = `
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 0))`;

describe('checkSpecAbi', () => {
  it('accepts spec imports with the spec signatures', async () => {
    const wasm = await wat(`(module
      (import "env" "proxy_log" (func (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
      ${EXPORTS}
      (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0)))`);
    const r = checkSpecAbi(wasm);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.imports, ['env.proxy_log', 'wasi_snapshot_preview1.clock_time_get']);
    assert.ok(r.callbacks.includes('proxy_on_request_headers'));
    assert.equal(HOST_FUNCTIONS.size, 47, '39 proxy_* functions and 8 WASI calls');
  });

  it('names non-spec imports, wrong signatures, missing exports and a start section', async () => {
    const wasm = await wat(`(module
      (import "env" "abort" (func (param i32 i32 i32 i32)))
      (import "env" "proxy_log" (func (param i32 i32) (result i32)))
      (import "env" "table" (table 1 funcref))
      (func $s)
      (start $s)
      (func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 0)))`);
    const p = checkSpecAbi(wasm).problems.join('\n');
    assert.match(p, /imports env\.abort, which is not a proxy-wasm v0\.2\.1 host function/);
    assert.match(p, /imports env\.proxy_log with signature \(i32, i32\) -> \(i32\); the spec's is \(i32, i32, i32\) -> \(i32\)/);
    assert.match(p, /imports table env\.table/);
    assert.match(p, /exports proxy_on_request_headers with signature/);
    assert.match(p, /no proxy_abi_version_0_2_1/);
    assert.match(p, /no allocator/);
    assert.match(p, /no memory/);
    assert.match(p, /start section/);
    assert.match(checkSpecAbi(Uint8Array.of(1, 2, 3)).problems[0]!, /not a valid WebAssembly module/);
  });
});
