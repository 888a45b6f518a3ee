// Baseline for the per-request cost measurement: the same exports as an SDK filter, doing nothing.
// (The runtime glue is imported only because the shared asconfig aliases abort and friends to it.)
import "@weft/sdk/assembly/runtime";
export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_memory_allocate(size: usize): usize {
  return heap.alloc(size);
}
export function proxy_on_context_create(contextId: u32, parentContextId: u32): void {}
export function proxy_on_vm_start(contextId: u32, size: u32): bool {
  return true;
}
export function proxy_on_configure(contextId: u32, size: u32): bool {
  return true;
}
export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  return 0;
}
export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  return 0;
}
export function proxy_on_done(contextId: u32): bool {
  return true;
}
export function proxy_on_log(contextId: u32): void {}
export function proxy_on_delete(contextId: u32): void {}
