// The proxy-wasm ABI v0.2.1 as the spec (proxy-wasm/spec, abi-versions/v0.2.1) lists it: every host
// function a module may import and every callback it may export, with Wasm signatures.
import type { Signature, ValType } from './wasm-inspect.js';

function sig(params: string, results: string): Signature {
  const split = (s: string): ValType[] => (s === '' ? [] : (s.split(' ') as ValType[]));
  return { params: split(params), results: split(results) };
}

const i32x = (n: number): string => Array(n).fill('i32').join(' ');

/** Host functions, keyed `module.name`. */
export const HOST_FUNCTIONS: ReadonlyMap<string, Signature> = new Map([
  ['env.proxy_done', sig('', 'i32')],
  ['env.proxy_set_effective_context', sig(i32x(1), 'i32')],
  ['env.proxy_log', sig(i32x(3), 'i32')],
  ['env.proxy_get_log_level', sig(i32x(1), 'i32')],
  ['env.proxy_get_current_time_nanoseconds', sig(i32x(1), 'i32')],
  ['env.proxy_set_tick_period_milliseconds', sig(i32x(1), 'i32')],
  ['env.proxy_set_buffer_bytes', sig(i32x(5), 'i32')],
  ['env.proxy_get_buffer_bytes', sig(i32x(5), 'i32')],
  ['env.proxy_get_buffer_status', sig(i32x(3), 'i32')],
  ['env.proxy_get_header_map_size', sig(i32x(2), 'i32')],
  ['env.proxy_get_header_map_pairs', sig(i32x(3), 'i32')],
  ['env.proxy_set_header_map_pairs', sig(i32x(3), 'i32')],
  ['env.proxy_get_header_map_value', sig(i32x(5), 'i32')],
  ['env.proxy_add_header_map_value', sig(i32x(5), 'i32')],
  ['env.proxy_replace_header_map_value', sig(i32x(5), 'i32')],
  ['env.proxy_remove_header_map_value', sig(i32x(3), 'i32')],
  ['env.proxy_continue_stream', sig(i32x(1), 'i32')],
  ['env.proxy_close_stream', sig(i32x(1), 'i32')],
  ['env.proxy_get_status', sig(i32x(3), 'i32')],
  ['env.proxy_send_local_response', sig(i32x(8), 'i32')],
  ['env.proxy_http_call', sig(i32x(10), 'i32')],
  ['env.proxy_grpc_call', sig(i32x(12), 'i32')],
  ['env.proxy_grpc_stream', sig(i32x(9), 'i32')],
  ['env.proxy_grpc_send', sig(i32x(4), 'i32')],
  ['env.proxy_grpc_cancel', sig(i32x(1), 'i32')],
  ['env.proxy_grpc_close', sig(i32x(1), 'i32')],
  ['env.proxy_set_shared_data', sig(i32x(5), 'i32')],
  ['env.proxy_get_shared_data', sig(i32x(5), 'i32')],
  ['env.proxy_register_shared_queue', sig(i32x(3), 'i32')],
  ['env.proxy_resolve_shared_queue', sig(i32x(5), 'i32')],
  ['env.proxy_enqueue_shared_queue', sig(i32x(3), 'i32')],
  ['env.proxy_dequeue_shared_queue', sig(i32x(3), 'i32')],
  ['env.proxy_define_metric', sig(i32x(4), 'i32')],
  ['env.proxy_record_metric', sig('i32 i64', 'i32')],
  ['env.proxy_increment_metric', sig('i32 i64', 'i32')],
  ['env.proxy_get_metric', sig(i32x(2), 'i32')],
  ['env.proxy_get_property', sig(i32x(4), 'i32')],
  ['env.proxy_set_property', sig(i32x(4), 'i32')],
  ['env.proxy_call_foreign_function', sig(i32x(6), 'i32')],
  ['wasi_snapshot_preview1.fd_write', sig(i32x(4), 'i32')],
  ['wasi_snapshot_preview1.clock_time_get', sig('i32 i64 i32', 'i32')],
  ['wasi_snapshot_preview1.random_get', sig(i32x(2), 'i32')],
  ['wasi_snapshot_preview1.environ_sizes_get', sig(i32x(2), 'i32')],
  ['wasi_snapshot_preview1.environ_get', sig(i32x(2), 'i32')],
  ['wasi_snapshot_preview1.args_sizes_get', sig(i32x(2), 'i32')],
  ['wasi_snapshot_preview1.args_get', sig(i32x(2), 'i32')],
  ['wasi_snapshot_preview1.proc_exit', sig(i32x(1), '')],
]);

/** Callbacks a module may export (all optional in the spec). */
export const CALLBACKS: ReadonlyMap<string, Signature> = new Map([
  ['proxy_abi_version_0_2_1', sig('', '')],
  ['_initialize', sig('', '')],
  ['_start', sig('', '')],
  ['main', sig(i32x(2), 'i32')],
  ['proxy_on_memory_allocate', sig(i32x(1), 'i32')],
  ['malloc', sig(i32x(1), 'i32')],
  ['proxy_on_context_create', sig(i32x(2), '')],
  ['proxy_on_done', sig(i32x(1), 'i32')],
  ['proxy_on_log', sig(i32x(1), '')],
  ['proxy_on_delete', sig(i32x(1), '')],
  ['proxy_on_vm_start', sig(i32x(2), 'i32')],
  ['proxy_on_configure', sig(i32x(2), 'i32')],
  ['proxy_on_tick', sig(i32x(1), '')],
  ['proxy_on_new_connection', sig(i32x(1), 'i32')],
  ['proxy_on_downstream_data', sig(i32x(3), 'i32')],
  ['proxy_on_downstream_connection_close', sig(i32x(2), '')],
  ['proxy_on_upstream_data', sig(i32x(3), 'i32')],
  ['proxy_on_upstream_connection_close', sig(i32x(2), '')],
  ['proxy_on_request_headers', sig(i32x(3), 'i32')],
  ['proxy_on_request_body', sig(i32x(3), 'i32')],
  ['proxy_on_request_trailers', sig(i32x(2), 'i32')],
  ['proxy_on_response_headers', sig(i32x(3), 'i32')],
  ['proxy_on_response_body', sig(i32x(3), 'i32')],
  ['proxy_on_response_trailers', sig(i32x(2), 'i32')],
  ['proxy_on_http_call_response', sig(i32x(5), '')],
  ['proxy_on_grpc_receive_initial_metadata', sig(i32x(3), '')],
  ['proxy_on_grpc_receive', sig(i32x(3), '')],
  ['proxy_on_grpc_receive_trailing_metadata', sig(i32x(3), '')],
  ['proxy_on_grpc_close', sig(i32x(3), '')],
  ['proxy_on_queue_ready', sig(i32x(2), '')],
  ['proxy_on_foreign_function', sig(i32x(3), '')],
]);

/** Callbacks every module built with the SDK must export. */
export const REQUIRED_EXPORTS: readonly string[] = [
  'memory',
  '_initialize',
  'proxy_abi_version_0_2_1',
  'proxy_on_memory_allocate',
  ...[...CALLBACKS.keys()].filter((n) => n.startsWith('proxy_on_') && n !== 'proxy_on_memory_allocate'),
];
