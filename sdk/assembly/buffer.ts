// Ergonomic access to one host buffer: HTTP bodies, TCP data, call responses, configuration.
import { BufferType, Status } from "./abi/enums";
import { lastStatus } from "./abi/status";
import { getBufferBytes, getBufferSize, getBufferString, setBufferBytes, setBufferString } from "./hostcalls/buffers";

/** `start` value that appends (the spec allows the maximum size_t). */
const END: usize = <usize>u32.MAX_VALUE;

/**
 * One of the host's buffers. Obtain it from a context (`this.requestBody`…). Reads take a range
 * because a paused stream's buffer grows as chunks arrive; the callback's `bodySize` is its length.
 *
 * @example
 * onResponseBody(bodySize: usize, endOfStream: bool): Action {
 *   if (!endOfStream) return Action.Pause;          // buffer until the whole body is there
 *   const body = this.responseBody.getString(0, bodySize);
 *   if (body !== null) this.responseBody.replaceString(body.replaceAll("secret", "******"));
 *   return Action.Continue;
 * }
 */
export class HostBuffer {
  constructor(readonly bufferType: BufferType) {}

  /** Current size in bytes (0 with `lastStatus()` set when unavailable). */
  size(): usize {
    return getBufferSize(this.bufferType);
  }

  /** Up to `length` bytes from `start`, or null when unavailable. */
  get(start: usize, length: usize): ArrayBuffer | null {
    return getBufferBytes(this.bufferType, start, length);
  }

  /** Up to `length` bytes from `start` as UTF-8, or null when unavailable. */
  getString(start: usize, length: usize): string | null {
    return getBufferString(this.bufferType, start, length);
  }

  /** Replaces `length` bytes at `start` with `value`. */
  set(start: usize, length: usize, value: ArrayBuffer): Status {
    return setBufferBytes(this.bufferType, start, length, value);
  }

  /** Replaces the whole content with `value` (asks the host for the current size first). */
  replace(value: ArrayBuffer): Status {
    const n = getBufferSize(this.bufferType);
    if (lastStatus() != Status.Ok) return lastStatus();
    return setBufferBytes(this.bufferType, 0, n, value);
  }

  /** Replaces the whole content with `value` encoded as UTF-8. */
  replaceString(value: string): Status {
    const n = getBufferSize(this.bufferType);
    if (lastStatus() != Status.Ok) return lastStatus();
    return setBufferString(this.bufferType, 0, n, value);
  }

  /** Adds `value` after the current content. */
  append(value: ArrayBuffer): Status {
    return setBufferBytes(this.bufferType, END, 0, value);
  }

  /** Adds `value` (UTF-8) after the current content. */
  appendString(value: string): Status {
    return setBufferString(this.bufferType, END, 0, value);
  }

  /** Inserts `value` before the current content. */
  prepend(value: ArrayBuffer): Status {
    return setBufferBytes(this.bufferType, 0, 0, value);
  }

  /** Inserts `value` (UTF-8) before the current content. */
  prependString(value: string): Status {
    return setBufferString(this.bufferType, 0, 0, value);
  }
}

export const REQUEST_BODY = new HostBuffer(BufferType.HttpRequestBody);
export const RESPONSE_BODY = new HostBuffer(BufferType.HttpResponseBody);
export const DOWNSTREAM_DATA = new HostBuffer(BufferType.DownstreamData);
export const UPSTREAM_DATA = new HostBuffer(BufferType.UpstreamData);
export const HTTP_CALL_RESPONSE_BODY = new HostBuffer(BufferType.HttpCallResponseBody);
export const GRPC_CALL_MESSAGE = new HostBuffer(BufferType.GrpcCallMessage);
export const VM_CONFIGURATION = new HostBuffer(BufferType.VmConfiguration);
export const PLUGIN_CONFIGURATION = new HostBuffer(BufferType.PluginConfiguration);
export const FOREIGN_FUNCTION_ARGUMENTS = new HostBuffer(BufferType.ForeignFunctionArguments);
