// The "probe" test module: re-exports every proxy_* host function as t_<name> and forwards each callback to a JS hook.
import { ENV_SIGNATURES } from '../../proxy/wasm/host-signatures.js';
import { wat } from './helpers.js';

/** Callback codes the probe passes to the "hook" foreign function. */
export const CB = {
  context_create: 1,
  vm_start: 2,
  configure: 3,
  request_headers: 4,
  request_body: 5,
  request_trailers: 6,
  response_headers: 7,
  response_body: 8,
  response_trailers: 9,
  done: 10,
  log: 11,
  delete: 12,
  tick: 13,
  queue_ready: 14,
  http_call_response: 15,
  new_connection: 16,
  downstream_data: 17,
  upstream_data: 18,
  downstream_close: 19,
  upstream_close: 20,
  grpc_initial: 21,
  grpc_receive: 22,
  grpc_trailing: 23,
  grpc_close: 24,
} as const;

/** Scratch memory the tests may use freely: [0x100, 0x10000). The heap starts at 0x10000. */
export const SCRATCH = 0x100;

function callback(name: string, code: number, params: number, result: string | undefined): string {
  const ps = Array.from({ length: params }, () => 'i32').join(' ');
  const stores = Array.from({ length: 4 }, (_, i) => `(i32.store offset=${20 + i * 4} (i32.const 0) ${i < params ? `(local.get ${i})` : '(i32.const 0)'})`).join(' ');
  const ret = result ? `(global.get $${result})` : '';
  return `(func (export "proxy_on_${name}") ${ps ? `(param ${ps})` : ''} ${result ? '(result i32)' : ''}
    (i32.store offset=16 (i32.const 0) (i32.const ${code})) ${stores}
    (drop (call $hook))
    ${ret})`;
}

/** Builds the probe module (abi: the marker it exports). */
export async function probeModule(abi = 'proxy_abi_version_0_2_1'): Promise<Uint8Array> {
  const imports: string[] = [];
  const wrappers: string[] = [];
  for (const [name, sig] of Object.entries(ENV_SIGNATURES)) {
    if (!name.startsWith('proxy_')) continue;
    const params = sig.params.join(' ');
    imports.push(`(import "env" "${name}" (func $${name} ${params ? `(param ${params})` : ''} (result i32)))`);
    const gets = sig.params.map((_, i) => `(local.get ${i})`).join(' ');
    wrappers.push(`(func (export "t_${name}") ${params ? `(param ${params})` : ''} (result i32) (call $${name} ${gets}))`);
  }
  const text = `(module
  ${imports.join('\n  ')}
  (memory (export "memory") 2)
  (data (i32.const 0) "hook")
  (global $heap (mut i32) (i32.const 65536))
  (global $ret (export "ret") (mut i32) (i32.const 0))
  (global $vm_start_ret (export "vm_start_ret") (mut i32) (i32.const 1))
  (global $configure_ret (export "configure_ret") (mut i32) (i32.const 1))
  (global $done_ret (export "done_ret") (mut i32) (i32.const 1))
  (func (export "${abi}"))
  (func $malloc (export "malloc") (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (if (i32.gt_u (i32.add (local.get $p) (local.get $n)) (i32.mul (memory.size) (i32.const 65536)))
      (then (if (i32.eq (memory.grow (i32.add (i32.shr_u (local.get $n) (i32.const 16)) (i32.const 1))) (i32.const -1)) (then (return (i32.const 0))))))
    (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $p))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (call $malloc (local.get 0)))
  (func $hook (result i32) (call $proxy_call_foreign_function (i32.const 0) (i32.const 4) (i32.const 16) (i32.const 20) (i32.const 0) (i32.const 0)))
  ${callback('context_create', 1, 2, undefined)}
  ${callback('vm_start', 2, 2, 'vm_start_ret')}
  ${callback('configure', 3, 2, 'configure_ret')}
  ${callback('request_headers', 4, 3, 'ret')}
  ${callback('request_body', 5, 3, 'ret')}
  ${callback('request_trailers', 6, 2, 'ret')}
  ${callback('response_headers', 7, 3, 'ret')}
  ${callback('response_body', 8, 3, 'ret')}
  ${callback('response_trailers', 9, 2, 'ret')}
  ${callback('done', 10, 1, 'done_ret')}
  ${callback('log', 11, 1, undefined)}
  ${callback('delete', 12, 1, undefined)}
  ${callback('tick', 13, 1, undefined)}
  ${callback('queue_ready', 14, 2, undefined)}
  (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32)
    (i32.store offset=16 (i32.const 0) (i32.const 15)) (i32.store offset=20 (i32.const 0) (local.get 1))
    (i32.store offset=24 (i32.const 0) (local.get 2)) (i32.store offset=28 (i32.const 0) (local.get 3)) (i32.store offset=32 (i32.const 0) (local.get 4))
    (drop (call $hook)))
  ${callback('new_connection', 16, 1, 'ret')}
  ${callback('downstream_data', 17, 3, 'ret')}
  ${callback('upstream_data', 18, 3, 'ret')}
  ${callback('downstream_connection_close', 19, 2, undefined)}
  ${callback('upstream_connection_close', 20, 2, undefined)}
  (func (export "proxy_on_grpc_receive_initial_metadata") (param i32 i32 i32)
    (i32.store offset=16 (i32.const 0) (i32.const 21)) (i32.store offset=20 (i32.const 0) (local.get 1)) (i32.store offset=24 (i32.const 0) (local.get 2)) (drop (call $hook)))
  (func (export "proxy_on_grpc_receive") (param i32 i32 i32)
    (i32.store offset=16 (i32.const 0) (i32.const 22)) (i32.store offset=20 (i32.const 0) (local.get 1)) (i32.store offset=24 (i32.const 0) (local.get 2)) (drop (call $hook)))
  (func (export "proxy_on_grpc_receive_trailing_metadata") (param i32 i32 i32)
    (i32.store offset=16 (i32.const 0) (i32.const 23)) (i32.store offset=20 (i32.const 0) (local.get 1)) (i32.store offset=24 (i32.const 0) (local.get 2)) (drop (call $hook)))
  (func (export "proxy_on_grpc_close") (param i32 i32 i32)
    (i32.store offset=16 (i32.const 0) (i32.const 24)) (i32.store offset=20 (i32.const 0) (local.get 1)) (i32.store offset=24 (i32.const 0) (local.get 2)) (drop (call $hook)))
  ${wrappers.join('\n  ')}
)`;
  return wat(text);
}
