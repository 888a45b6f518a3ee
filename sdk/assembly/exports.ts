// The callbacks every proxy-wasm module exports. A filter re-exports this module:
//   export * from "@weft/sdk/assembly/exports";
// Booleans arrive as i32 and are normalized; nothing here traps on an id the SDK does not know.
import { Action } from "./abi/enums";
import { allocateForHost } from "./abi/memory";
import * as d from "./dispatcher";
import { enterCallback, leaveCallback } from "./effective";

/** ABI marker: this module speaks proxy-wasm ABI v0.2.1. Never called. */
export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_memory_allocate(size: usize): usize {
  return allocateForHost(size);
}

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void {
  const saved = enterCallback(contextId);
  d.onContextCreate(contextId, parentContextId);
  leaveCallback(saved);
}

export function proxy_on_done(contextId: u32): bool {
  const saved = enterCallback(contextId);
  const r = d.onDone(contextId);
  leaveCallback(saved);
  return r;
}

export function proxy_on_log(contextId: u32): void {
  const saved = enterCallback(contextId);
  d.onLog(contextId);
  leaveCallback(saved);
}

export function proxy_on_delete(contextId: u32): void {
  const saved = enterCallback(contextId);
  d.onDelete(contextId);
  leaveCallback(saved);
}

export function proxy_on_vm_start(contextId: u32, vmConfigurationSize: usize): bool {
  const saved = enterCallback(contextId);
  const r = d.onVmStart(contextId, vmConfigurationSize);
  leaveCallback(saved);
  return r;
}

export function proxy_on_configure(contextId: u32, pluginConfigurationSize: usize): bool {
  const saved = enterCallback(contextId);
  const r = d.onConfigure(contextId, pluginConfigurationSize);
  leaveCallback(saved);
  return r;
}

export function proxy_on_tick(contextId: u32): void {
  const saved = enterCallback(contextId);
  d.onTick(contextId);
  leaveCallback(saved);
}

export function proxy_on_queue_ready(contextId: u32, queueId: u32): void {
  const saved = enterCallback(contextId);
  d.onQueueReady(contextId, queueId);
  leaveCallback(saved);
}

export function proxy_on_foreign_function(contextId: u32, functionId: u32, argumentsSize: usize): void {
  const saved = enterCallback(contextId);
  d.onForeignFunction(contextId, functionId, argumentsSize);
  leaveCallback(saved);
}

export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): Action {
  const saved = enterCallback(contextId);
  const r = d.onRequestHeaders(contextId, numHeaders, endOfStream != 0);
  leaveCallback(saved);
  return r;
}

export function proxy_on_request_body(contextId: u32, bodySize: usize, endOfStream: u32): Action {
  const saved = enterCallback(contextId);
  const r = d.onRequestBody(contextId, bodySize, endOfStream != 0);
  leaveCallback(saved);
  return r;
}

export function proxy_on_request_trailers(contextId: u32, numTrailers: u32): Action {
  const saved = enterCallback(contextId);
  const r = d.onRequestTrailers(contextId, numTrailers);
  leaveCallback(saved);
  return r;
}

export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): Action {
  const saved = enterCallback(contextId);
  const r = d.onResponseHeaders(contextId, numHeaders, endOfStream != 0);
  leaveCallback(saved);
  return r;
}

export function proxy_on_response_body(contextId: u32, bodySize: usize, endOfStream: u32): Action {
  const saved = enterCallback(contextId);
  const r = d.onResponseBody(contextId, bodySize, endOfStream != 0);
  leaveCallback(saved);
  return r;
}

export function proxy_on_response_trailers(contextId: u32, numTrailers: u32): Action {
  const saved = enterCallback(contextId);
  const r = d.onResponseTrailers(contextId, numTrailers);
  leaveCallback(saved);
  return r;
}

export function proxy_on_new_connection(contextId: u32): Action {
  const saved = enterCallback(contextId);
  const r = d.onNewConnection(contextId);
  leaveCallback(saved);
  return r;
}

export function proxy_on_downstream_data(contextId: u32, dataSize: usize, endOfStream: u32): Action {
  const saved = enterCallback(contextId);
  const r = d.onDownstreamData(contextId, dataSize, endOfStream != 0);
  leaveCallback(saved);
  return r;
}

export function proxy_on_downstream_connection_close(contextId: u32, peerType: u32): void {
  const saved = enterCallback(contextId);
  d.onDownstreamClose(contextId, peerType);
  leaveCallback(saved);
}

export function proxy_on_upstream_data(contextId: u32, dataSize: usize, endOfStream: u32): Action {
  const saved = enterCallback(contextId);
  const r = d.onUpstreamData(contextId, dataSize, endOfStream != 0);
  leaveCallback(saved);
  return r;
}

export function proxy_on_upstream_connection_close(contextId: u32, peerType: u32): void {
  const saved = enterCallback(contextId);
  d.onUpstreamClose(contextId, peerType);
  leaveCallback(saved);
}

export function proxy_on_http_call_response(
  contextId: u32, callId: u32, numHeaders: u32, bodySize: usize, numTrailers: u32,
): void {
  const saved = enterCallback(contextId);
  d.onHttpCallResponse(callId, numHeaders, bodySize, numTrailers);
  leaveCallback(saved);
}

export function proxy_on_grpc_receive_initial_metadata(contextId: u32, callId: u32, numElements: u32): void {
  const saved = enterCallback(contextId);
  d.onGrpcInitialMetadata(callId, numElements);
  leaveCallback(saved);
}

export function proxy_on_grpc_receive(contextId: u32, callId: u32, messageSize: usize): void {
  const saved = enterCallback(contextId);
  d.onGrpcMessage(callId, messageSize);
  leaveCallback(saved);
}

export function proxy_on_grpc_receive_trailing_metadata(contextId: u32, callId: u32, numElements: u32): void {
  const saved = enterCallback(contextId);
  d.onGrpcTrailingMetadata(callId, numElements);
  leaveCallback(saved);
}

export function proxy_on_grpc_close(contextId: u32, callId: u32, statusCode: u32): void {
  const saved = enterCallback(contextId);
  d.onGrpcClose(callId, statusCode);
  leaveCallback(saved);
}
