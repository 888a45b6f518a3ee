// The signature of every function the host provides, to check a module's imports before instantiating it.
import type { FuncType, ValType } from './module-inspect.js';

const I = 'i32' as const;
const L = 'i64' as const;
const F = 'f64' as const;

function sig(params: readonly ValType[], results: readonly ValType[] = [I]): FuncType {
  return { params, results };
}
const i32s = (n: number) => sig(Array<ValType>(n).fill(I));

/** `env` functions of proxy-wasm 0.2.1, 0.2.0 and 0.1.0, and the runtime helpers toolchains import. */
export const ENV_SIGNATURES: Readonly<Record<string, FuncType>> = {
  proxy_log: i32s(3),
  proxy_get_log_level: i32s(1),
  proxy_get_status: i32s(3),
  proxy_set_property: i32s(4),
  proxy_get_property: i32s(4),
  proxy_send_local_response: i32s(8),
  proxy_get_shared_data: i32s(5),
  proxy_set_shared_data: i32s(5),
  proxy_register_shared_queue: i32s(3),
  proxy_resolve_shared_queue: i32s(5),
  proxy_dequeue_shared_queue: i32s(3),
  proxy_enqueue_shared_queue: i32s(3),
  proxy_get_header_map_value: i32s(5),
  proxy_add_header_map_value: i32s(5),
  proxy_replace_header_map_value: i32s(5),
  proxy_remove_header_map_value: i32s(3),
  proxy_get_header_map_pairs: i32s(3),
  proxy_set_header_map_pairs: i32s(3),
  proxy_get_header_map_size: i32s(2),
  proxy_get_buffer_status: i32s(3),
  proxy_get_buffer_bytes: i32s(5),
  proxy_set_buffer_bytes: i32s(5),
  proxy_http_call: i32s(10),
  proxy_grpc_call: i32s(12),
  proxy_grpc_stream: i32s(9),
  proxy_grpc_close: i32s(1),
  proxy_grpc_cancel: i32s(1),
  proxy_grpc_send: i32s(4),
  proxy_set_tick_period_milliseconds: i32s(1),
  proxy_get_current_time_nanoseconds: i32s(1),
  proxy_define_metric: i32s(4),
  proxy_increment_metric: sig([I, L]),
  proxy_record_metric: sig([I, L]),
  proxy_get_metric: i32s(2),
  proxy_set_effective_context: i32s(1),
  proxy_done: i32s(0),
  proxy_call_foreign_function: i32s(6),
  proxy_continue_stream: i32s(1),
  proxy_close_stream: i32s(1),
  // ABI 0.1.0
  proxy_get_configuration: i32s(2),
  proxy_continue_request: i32s(0),
  proxy_continue_response: i32s(0),
  proxy_clear_route_cache: i32s(0),
  // Toolchain runtimes
  abort: sig([I, I, I, I], []), // AssemblyScript
  trace: sig([I, I, F, F, F, F, F], []), // AssemblyScript trace()
  seed: sig([], [F]), // AssemblyScript Math.random seed
  emscripten_notify_memory_growth: sig([I], []),
  pthread_equal: i32s(2),
};

/** `wasi_snapshot_preview1` (and `wasi_unstable`) functions. */
export const WASI_SIGNATURES: Readonly<Record<string, FuncType>> = {
  args_get: i32s(2),
  args_sizes_get: i32s(2),
  environ_get: i32s(2),
  environ_sizes_get: i32s(2),
  clock_res_get: i32s(2),
  clock_time_get: sig([I, L, I]),
  fd_advise: sig([I, L, L, I]),
  fd_allocate: sig([I, L, L]),
  fd_close: i32s(1),
  fd_datasync: i32s(1),
  fd_fdstat_get: i32s(2),
  fd_fdstat_set_flags: i32s(2),
  fd_fdstat_set_rights: sig([I, L, L]),
  fd_filestat_get: i32s(2),
  fd_filestat_set_size: sig([I, L]),
  fd_filestat_set_times: sig([I, L, L, I]),
  fd_pread: sig([I, I, I, L, I]),
  fd_prestat_get: i32s(2),
  fd_prestat_dir_name: i32s(3),
  fd_pwrite: sig([I, I, I, L, I]),
  fd_read: i32s(4),
  fd_readdir: sig([I, I, I, L, I]),
  fd_renumber: i32s(2),
  fd_seek: sig([I, L, I, I]),
  fd_sync: i32s(1),
  fd_tell: i32s(2),
  fd_write: i32s(4),
  path_create_directory: i32s(3),
  path_filestat_get: i32s(5),
  path_filestat_set_times: sig([I, I, I, I, L, L, I]),
  path_link: i32s(7),
  path_open: sig([I, I, I, I, I, L, L, I, I]),
  path_readlink: i32s(6),
  path_remove_directory: i32s(3),
  path_rename: i32s(6),
  path_symlink: i32s(5),
  path_unlink_file: i32s(3),
  poll_oneoff: i32s(4),
  proc_exit: sig([I], []),
  proc_raise: i32s(1),
  sched_yield: i32s(0),
  random_get: i32s(2),
  sock_accept: i32s(3),
  sock_recv: i32s(6),
  sock_send: i32s(5),
  sock_shutdown: i32s(2),
};

export const WASI_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'] as const;

/** The expected signature of an import, or undefined when the host does not provide it. */
export function hostSignature(module: string, name: string): FuncType | undefined {
  if (module === 'env') return Object.hasOwn(ENV_SIGNATURES, name) ? ENV_SIGNATURES[name] : undefined;
  if ((WASI_MODULES as readonly string[]).includes(module)) return Object.hasOwn(WASI_SIGNATURES, name) ? WASI_SIGNATURES[name] : undefined;
  return undefined;
}
