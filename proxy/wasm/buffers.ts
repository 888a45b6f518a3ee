// The byte buffers hostcalls read and write: bodies and TCP data (mutable), configuration and call responses (read-only).
import { Status } from './abi.js';
import type { BodyBuffer } from '../http/body-buffer.js';

/** One buffer as proxy_get_buffer_bytes / proxy_set_buffer_bytes see it. */
export interface HostBuffer {
  readonly length: number;
  /** Up to `size` bytes from `start`, clamped to the buffer (a view: copy before keeping it). */
  read(start: number, size: number): Uint8Array;
  /** proxy_set_buffer_bytes semantics; read-only buffers answer BadArgument. */
  write(start: number, size: number, data: Uint8Array): Status;
}

export class BodyHostBuffer implements HostBuffer {
  constructor(private readonly body: BodyBuffer) {}
  get length(): number {
    return this.body.length;
  }
  read(start: number, size: number): Uint8Array {
    return this.body.slice(start, size);
  }
  write(start: number, size: number, data: Uint8Array): Status {
    this.body.splice(start, size, Buffer.from(data));
    return Status.Ok;
  }
}

export class ConstHostBuffer implements HostBuffer {
  constructor(private readonly data: Uint8Array) {}
  get length(): number {
    return this.data.length;
  }
  read(start: number, size: number): Uint8Array {
    const s = Math.min(start, this.data.length);
    return this.data.subarray(s, Math.min(this.data.length, s + size));
  }
  write(): Status {
    return Status.BadArgument;
  }
}

export const EMPTY_BYTES = new Uint8Array(0);
