// The proxy-wasm ABI v0.2.1 as the spec (proxy-wasm/spec, abi-versions/v0.2.1) lists it: every host
// function a module may import and every callback it may export, with Wasm signatures; and the check
// `weft plugin build` and the SDK tests run on a built filter.
import { formatFuncType, inspectModule, sameFuncType, type FuncType, type ValType } from '../../proxy/wasm/index.js';

/** A function signature: parameter and result value types. */
export type Signature = FuncType;

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

/** What `checkSpecAbi` found. `problems` is empty for a module any proxy-wasm v0.2.1 host can run. */
export interface AbiReport {
  readonly problems: readonly string[];
  /** Imported host functions, `module.name`. */
  readonly imports: readonly string[];
  /** Exported callbacks of the spec. */
  readonly callbacks: readonly string[];
  /** The `sourceMappingURL` custom section, if any. */
  readonly sourceMappingURL: string | undefined;
}

/**
 * Checks a built filter against the spec: it imports only v0.2.1 host functions (and the WASI
 * calls the spec lists) with the spec's signatures, exports the ABI marker, an allocator and a
 * memory, exports spec callbacks with the spec's signatures, and has no start section (the host
 * calls `_initialize`). A module that passes runs on any proxy-wasm host, Envoy included.
 *
 * @example
 * const report = checkSpecAbi(wasm);
 * if (report.problems.length > 0) throw new Error(report.problems.join('\n'));
 */
export function checkSpecAbi(wasm: Uint8Array): AbiReport {
  const problems: string[] = [];
  let info;
  try {
    info = inspectModule(wasm);
  } catch (e) {
    return { problems: [`not a valid WebAssembly module: ${(e as Error).message}`], imports: [], callbacks: [], sourceMappingURL: undefined };
  }
  const imports: string[] = [];
  for (const imp of info.imports) {
    const key = `${imp.module}.${imp.name}`;
    imports.push(key);
    if (imp.kind !== 'function') {
      problems.push(`imports ${imp.kind} ${key}: a proxy-wasm module imports only host functions`);
      continue;
    }
    const expected = HOST_FUNCTIONS.get(key);
    if (!expected) {
      problems.push(`imports ${key}, which is not a proxy-wasm v0.2.1 host function (a host-specific or JavaScript import; hosts will refuse the module)`);
    } else if (!sameFuncType(expected, imp.type!)) {
      problems.push(`imports ${key} with signature ${formatFuncType(imp.type!)}; the spec's is ${formatFuncType(expected)}`);
    }
  }
  const callbacks: string[] = [];
  const exported = new Set<string>();
  for (const e of info.exports) {
    exported.add(e.name);
    const expected = CALLBACKS.get(e.name);
    if (!expected || e.kind !== 'function') continue;
    callbacks.push(e.name);
    const actual = info.functionTypes[e.index];
    if (actual && !sameFuncType(expected, actual)) {
      problems.push(`exports ${e.name} with signature ${formatFuncType(actual)}; the spec's is ${formatFuncType(expected)}`);
    }
  }
  if (!exported.has('proxy_abi_version_0_2_1')) problems.push('exports no proxy_abi_version_0_2_1 marker (was it built with @weft/sdk and `export * from "@weft/sdk/assembly/exports"`?)');
  if (!exported.has('proxy_on_memory_allocate') && !exported.has('malloc')) problems.push('exports no allocator (proxy_on_memory_allocate)');
  if (!info.exports.some((e) => e.kind === 'memory')) problems.push('exports no memory');
  if (info.hasStartSection) problems.push('has a start section: top-level code must run from _initialize (build with the SDK\'s asconfig, exportStart: _initialize)');
  return { problems, imports, callbacks, sourceMappingURL: info.sourceMappingURL };
}
