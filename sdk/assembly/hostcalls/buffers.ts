// Layer 1, buffers: bodies, TCP data, call responses, configuration and FFI arguments.
import { BufferType, Status } from "../abi/enums";
import { proxy_get_buffer_bytes, proxy_get_buffer_status, proxy_set_buffer_bytes } from "../abi/host";
import {
  argLen, argMark, argRelease, argString, clearReturned, releaseReturned, RET_PTR, RET_SIZE, RET_U32, takeBytes,
  takeString,
} from "../abi/memory";
import { record } from "../abi/status";

/** Up to `maxSize` bytes of `buffer` from `start`, or null. */
export function getBufferBytes(buffer: BufferType, start: usize, maxSize: usize): ArrayBuffer | null {
  clearReturned();
  const s = record(proxy_get_buffer_bytes(buffer, start, maxSize, RET_PTR, RET_SIZE));
  if (s != Status.Ok) {
    releaseReturned();
    return null;
  }
  return takeBytes();
}

/** Up to `maxSize` bytes of `buffer` from `start` decoded as UTF-8, or null. */
export function getBufferString(buffer: BufferType, start: usize, maxSize: usize): string | null {
  clearReturned();
  const s = record(proxy_get_buffer_bytes(buffer, start, maxSize, RET_PTR, RET_SIZE));
  if (s != Status.Ok) {
    releaseReturned();
    return null;
  }
  return takeString();
}

/** Current size of `buffer`; 0 with `lastStatus()` set when unavailable. */
export function getBufferSize(buffer: BufferType): usize {
  store<usize>(RET_SIZE, 0);
  const s = record(proxy_get_buffer_status(buffer, RET_SIZE, RET_U32));
  return s == Status.Ok ? load<usize>(RET_SIZE) : 0;
}

/** Replaces `size` bytes of `buffer` at `start` with `value` (see the spec for prepend/append). */
export function setBufferBytes(buffer: BufferType, start: usize, size: usize, value: ArrayBuffer): Status {
  return record(proxy_set_buffer_bytes(buffer, start, size, changetype<usize>(value), <usize>value.byteLength));
}

/** Like `setBufferBytes` with `value` encoded as UTF-8. */
export function setBufferString(buffer: BufferType, start: usize, size: usize, value: string): Status {
  const mark = argMark();
  const v = argString(value);
  const s = record(proxy_set_buffer_bytes(buffer, start, size, v, argLen));
  argRelease(mark);
  return s;
}
