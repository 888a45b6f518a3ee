// Memory shared with the host: the allocator the host calls, return slots for out-parameters,
// host-allocated results taken back into AssemblyScript values, and a scratch arena for arguments.

/**
 * Allocation for the host (`proxy_on_memory_allocate`): an unmanaged block the host fills with a
 * result. The SDK frees it once it has copied the result into a managed value (see `take*`).
 */
export function allocateForHost(size: usize): usize {
  return heap.alloc(size);
}

// Out-parameter slots. No SDK code runs between a host call writing them and the SDK reading them
// (the host may only call `proxy_on_memory_allocate`, which does not touch them).
// @ts-ignore: decorator
@lazy export const RET_PTR: usize = memory.data(8, 8);
// @ts-ignore: decorator
@lazy export const RET_SIZE: usize = memory.data(8, 8);
// @ts-ignore: decorator
@lazy export const RET_U32: usize = memory.data(8, 8);
// @ts-ignore: decorator
@lazy export const RET_U64: usize = memory.data(8, 8);

/** Clears the pointer/size slots before a call that may return a host-allocated block. */
// @ts-ignore: decorator
@inline export function clearReturned(): void {
  store<usize>(RET_PTR, 0);
  store<usize>(RET_SIZE, 0);
}

/** Frees the block a host call returned, if any (after an error, or once copied). */
export function releaseReturned(): void {
  const ptr = load<usize>(RET_PTR);
  if (ptr != 0) heap.free(ptr);
  store<usize>(RET_PTR, 0);
}

/** Takes the returned block as a UTF-8 string and frees it. */
export function takeString(): string {
  const ptr = load<usize>(RET_PTR);
  const size = load<usize>(RET_SIZE);
  if (ptr == 0) return "";
  const s = String.UTF8.decodeUnsafe(ptr, size);
  heap.free(ptr);
  store<usize>(RET_PTR, 0);
  return s;
}

/** Takes the returned block as bytes and frees it. */
export function takeBytes(): ArrayBuffer {
  const ptr = load<usize>(RET_PTR);
  const size = load<usize>(RET_SIZE);
  const out = new ArrayBuffer(<i32>size);
  if (ptr == 0) return out;
  memory.copy(changetype<usize>(out), ptr, size);
  heap.free(ptr);
  store<usize>(RET_PTR, 0);
  return out;
}

// ---- Argument arena: strings are UTF-8 encoded here instead of in a fresh buffer per call.
// A host call may re-enter the module (a local reply can run the response callbacks at once), so
// the arena is a stack: each wrapper takes a mark and releases back to it.

let arena: ArrayBuffer = new ArrayBuffer(1024);
let top: usize = 0;
let wanted: i32 = 0;
// Arguments that did not fit stay reachable here until the outermost call releases the arena.
const spill: Array<ArrayBuffer> = [];

/** Length in bytes of the last `argString`/`argPairs` result. */
export let argLen: usize = 0;

/** The current arena position; pass it to `argRelease` when the host call returns. */
// @ts-ignore: decorator
@inline export function argMark(): usize {
  return top;
}

/** Releases arguments written since `mark`. */
export function argRelease(mark: usize): void {
  top = mark;
  if (mark == 0) {
    if (spill.length > 0) spill.length = 0;
    if (wanted > arena.byteLength) arena = new ArrayBuffer(wanted);
  }
}

/** Reserves `size` bytes of argument space and returns their address; sets `argLen`. */
export function argReserve(size: usize): usize {
  const capacity = <usize>arena.byteLength;
  argLen = size;
  if (top + size <= capacity) {
    const ptr = changetype<usize>(arena) + top;
    top += size;
    return ptr;
  }
  const need = <i32>min<usize>((top + size) << 1, 0x40000000);
  if (need > wanted) wanted = need;
  const buf = new ArrayBuffer(<i32>size);
  spill.push(buf);
  return changetype<usize>(buf);
}

/** Encodes `s` as UTF-8 into the arena; returns its address and sets `argLen`. */
export function argString(s: string): usize {
  const size = <usize>String.UTF8.byteLength(s);
  const ptr = argReserve(size);
  if (size > 0) String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, ptr);
  return ptr;
}
