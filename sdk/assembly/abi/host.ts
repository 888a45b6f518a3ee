// Raw declarations of every host function of proxy-wasm ABI v0.2.1 (module "env") and the WASI
// functions the spec lists. Only the ones a filter actually reaches end up as imports of its module.
// Pointers and sizes are wasm32 `usize`; every proxy function returns a `Status` (`proxy_status_t`).

// ---- Context lifecycle
// @ts-ignore: decorator
@external("env", "proxy_done")
export declare function proxy_done(): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(contextId: u32): u32;

// ---- Logging, clocks, timers
// @ts-ignore: decorator
@external("env", "proxy_log")
export declare function proxy_log(level: u32, messageData: usize, messageSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(returnLogLevel: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxy_get_current_time_nanoseconds(returnTime: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(tickPeriod: u32): u32;

// ---- Buffers
// @ts-ignore: decorator
@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(bufferId: u32, start: usize, size: usize, valueData: usize, valueSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(bufferId: u32, start: usize, maxSize: usize, returnValueData: usize, returnValueSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(bufferId: u32, returnBufferSize: usize, returnIgnored: usize): u32;

// ---- HTTP fields
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_size")
export declare function proxy_get_header_map_size(mapId: u32, returnSerializedPairsSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(mapId: u32, returnSerializedPairsData: usize, returnSerializedPairsSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(mapId: u32, serializedPairsData: usize, serializedPairsSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(mapId: u32, keyData: usize, keySize: usize, returnValueData: usize, returnValueSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(mapId: u32, keyData: usize, keySize: usize, valueData: usize, valueSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(mapId: u32, keyData: usize, keySize: usize, valueData: usize, valueSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(mapId: u32, keyData: usize, keySize: usize): u32;

// ---- Common stream operations
// @ts-ignore: decorator
@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(streamType: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_close_stream")
export declare function proxy_close_stream(streamType: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_status")
export declare function proxy_get_status(returnStatusCode: usize, returnStatusMessageData: usize, returnStatusMessageSize: usize): u32;

// ---- HTTP
// @ts-ignore: decorator
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(
  statusCode: u32, statusCodeDetailsData: usize, statusCodeDetailsSize: usize,
  bodyData: usize, bodySize: usize, serializedHeadersData: usize, serializedHeadersSize: usize, grpcStatus: u32,
): u32;

// ---- HTTP calls
// @ts-ignore: decorator
@external("env", "proxy_http_call")
export declare function proxy_http_call(
  upstreamNameData: usize, upstreamNameSize: usize, serializedHeadersData: usize, serializedHeadersSize: usize,
  bodyData: usize, bodySize: usize, serializedTrailersData: usize, serializedTrailersSize: usize,
  timeout: u32, returnCallId: usize,
): u32;

// ---- gRPC calls
// @ts-ignore: decorator
@external("env", "proxy_grpc_call")
export declare function proxy_grpc_call(
  upstreamNameData: usize, upstreamNameSize: usize, serviceNameData: usize, serviceNameSize: usize,
  methodNameData: usize, methodNameSize: usize, serializedInitialMetadataData: usize, serializedInitialMetadataSize: usize,
  messageData: usize, messageSize: usize, timeout: u32, returnCallId: usize,
): u32;
// @ts-ignore: decorator
@external("env", "proxy_grpc_stream")
export declare function proxy_grpc_stream(
  upstreamNameData: usize, upstreamNameSize: usize, serviceNameData: usize, serviceNameSize: usize,
  methodNameData: usize, methodNameSize: usize, serializedInitialMetadataData: usize, serializedInitialMetadataSize: usize,
  returnStreamId: usize,
): u32;
// @ts-ignore: decorator
@external("env", "proxy_grpc_send")
export declare function proxy_grpc_send(streamId: u32, messageData: usize, messageSize: usize, endStream: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_grpc_cancel")
export declare function proxy_grpc_cancel(callOrStreamId: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_grpc_close")
export declare function proxy_grpc_close(callOrStreamId: u32): u32;

// ---- Shared key-value store and queues
// @ts-ignore: decorator
@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(keyData: usize, keySize: usize, valueData: usize, valueSize: usize, cas: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(keyData: usize, keySize: usize, returnValueData: usize, returnValueSize: usize, returnCas: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_register_shared_queue")
export declare function proxy_register_shared_queue(nameData: usize, nameSize: usize, returnQueueId: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_resolve_shared_queue")
export declare function proxy_resolve_shared_queue(vmIdData: usize, vmIdSize: usize, nameData: usize, nameSize: usize, returnQueueId: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_enqueue_shared_queue")
export declare function proxy_enqueue_shared_queue(queueId: u32, valueData: usize, valueSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_dequeue_shared_queue")
export declare function proxy_dequeue_shared_queue(queueId: u32, returnValueData: usize, returnValueSize: usize): u32;

// ---- Metrics
// @ts-ignore: decorator
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(metricType: u32, nameData: usize, nameSize: usize, returnMetricId: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metricId: u32, value: u64): u32;
// @ts-ignore: decorator
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metricId: u32, delta: i64): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_metric")
export declare function proxy_get_metric(metricId: u32, returnValue: usize): u32;

// ---- Properties
// @ts-ignore: decorator
@external("env", "proxy_get_property")
export declare function proxy_get_property(pathData: usize, pathSize: usize, returnValueData: usize, returnValueSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_property")
export declare function proxy_set_property(pathData: usize, pathSize: usize, valueData: usize, valueSize: usize): u32;

// ---- Foreign functions
// @ts-ignore: decorator
@external("env", "proxy_call_foreign_function")
export declare function proxy_call_foreign_function(
  nameData: usize, nameSize: usize, argumentsData: usize, argumentsSize: usize,
  returnResultsData: usize, returnResultsSize: usize,
): u32;

// ---- WASI functions the spec requires hosts to provide (they return `wasi_errno_t`)
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_write")
export declare function wasi_fd_write(fd: u32, iovec: usize, iovecSize: usize, returnWrittenBytes: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get")
export declare function wasi_clock_time_get(clockId: u32, precision: u64, returnTime: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "random_get")
export declare function wasi_random_get(buffer: usize, bufferSize: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_sizes_get")
export declare function wasi_environ_sizes_get(returnNumElements: usize, returnBufferSize: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_get")
export declare function wasi_environ_get(returnArray: usize, returnBuffer: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "proc_exit")
export declare function wasi_proc_exit(exitCode: u32): void;
