// Minimal proxy-wasm filters for the Weft variant rows, written in WAT so that they measure the host, not an SDK:
// a no-op (Continue on request headers) and a filter that adds one request header.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wat } from '../../test/wasm/helpers.js';

export type BenchFilterKind = { kind: 'noop' } | { kind: 'add-header'; name: string; value: string };

const MAP_REQUEST_HEADERS = 0;

/** WAT source of a bench filter (proxy-wasm ABI 0.2.1). */
export function benchFilterWat(filter: BenchFilterKind): string {
  const addHeader =
    filter.kind === 'add-header'
      ? `(drop (call $add_header (i32.const ${MAP_REQUEST_HEADERS}) (i32.const 1024) (i32.const ${Buffer.byteLength(filter.name)}) (i32.const 2048) (i32.const ${Buffer.byteLength(filter.value)})))`
      : '';
  const data =
    filter.kind === 'add-header'
      ? `(data (i32.const 1024) "${filter.name}")\n  (data (i32.const 2048) "${filter.value}")`
      : '';
  return `(module
  (import "env" "proxy_add_header_map_value" (func $add_header (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  ${data}
  (global $heap (mut i32) (i32.const 65536))
  (func (export "proxy_abi_version_0_2_1"))
  ;; A bump allocator: these filters never ask the host for data, so the host has no reason to allocate.
  (func $malloc (export "malloc") (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (if (i32.gt_u (i32.add (local.get $p) (local.get $n)) (i32.mul (memory.size) (i32.const 65536)))
      (then (if (i32.eq (memory.grow (i32.add (i32.shr_u (local.get $n) (i32.const 16)) (i32.const 1))) (i32.const -1))
        (then (return (i32.const 0))))))
    (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $p))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (call $malloc (local.get 0)))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    ${addHeader}
    (i32.const 0))
  (func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))
  (func (export "proxy_on_log") (param i32))
  (func (export "proxy_on_delete") (param i32)))
`;
}

/** Compiles a bench filter to Wasm bytes. */
export function compileBenchFilter(filter: BenchFilterKind): Promise<Uint8Array> {
  return wat(benchFilterWat(filter));
}

/** Compiles a bench filter into `dir` and returns the file's path. */
export async function writeBenchFilter(dir: string, file: string, filter: BenchFilterKind): Promise<string> {
  const path = join(dir, file);
  writeFileSync(path, await compileBenchFilter(filter));
  return path;
}
