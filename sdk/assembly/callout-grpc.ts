// gRPC callouts: the per-call (or per-stream) callback object.
import { BufferType, Status } from "./abi/enums";
import { getBufferBytes } from "./hostcalls/buffers";
import { grpcCancel, grpcClose, grpcSend } from "./hostcalls/callouts";
import { getStatus } from "./hostcalls/streams";
import { removeGrpcCall } from "./callout-registry";
import { GRPC_INITIAL_METADATA, GRPC_TRAILING_METADATA, HeaderMap } from "./headers";

/**
 * Receives the events of one gRPC call or stream started with `grpcCall`/`grpcStream`, and controls
 * it. Override what you need; the SDK makes the calling context effective before each callback.
 *
 * @example
 * class Lookup extends GrpcCallback {
 *   onMessage(size: usize): void {
 *     const reply = this.message(size);   // protobuf bytes
 *   }
 *   onClose(statusCode: u32): void {
 *     if (statusCode != 0) log(LogLevel.Warn, "lookup failed: " + this.statusMessage());
 *   }
 * }
 */
export class GrpcCallback {
  /** The call or stream id the host assigned (set by `grpcCall`/`grpcStream`). */
  callId: u32 = 0;
  /** True for a stream opened with `grpcStream`. */
  streaming: bool = false;

  /** Initial metadata arrived; read it with `initialMetadata`. */
  onInitialMetadata(numElements: u32): void {}
  /** A message arrived; read it with `message(size)`. For a unary call this ends the call. */
  onMessage(messageSize: usize): void {}
  /** Trailing metadata arrived; read it with `trailingMetadata`. */
  onTrailingMetadata(numElements: u32): void {}
  /** The call or stream ended with the gRPC `statusCode` (0 is OK); see `statusMessage()`. */
  onClose(statusCode: u32): void {}

  /** The received message, valid in `onMessage`. */
  message(size: usize): ArrayBuffer | null {
    return getBufferBytes(BufferType.GrpcCallMessage, 0, size);
  }

  /** Initial metadata, valid in `onInitialMetadata`. */
  get initialMetadata(): HeaderMap {
    return GRPC_INITIAL_METADATA;
  }

  /** Trailing metadata, valid in `onTrailingMetadata`. */
  get trailingMetadata(): HeaderMap {
    return GRPC_TRAILING_METADATA;
  }

  /** The status message, valid in `onClose`; empty when the host has none. */
  statusMessage(): string {
    const s = getStatus();
    return s === null ? "" : s.message;
  }

  /** Sends `message` on a stream; `endStream` half-closes it. */
  send(message: ArrayBuffer, endStream: bool = false): Status {
    return grpcSend(this.callId, message, endStream);
  }

  /** Cancels the call or stream; no more callbacks follow (the SDK forgets this callback). */
  cancel(): Status {
    const s = grpcCancel(this.callId);
    if (s == Status.Ok || s == Status.NotFound) removeGrpcCall(this.callId);
    return s;
  }

  /**
   * Half-closes a stream (its remaining messages and close still arrive); for a unary call,
   * the same as `cancel()`.
   */
  close(): Status {
    const s = grpcClose(this.callId);
    if (!this.streaming && (s == Status.Ok || s == Status.NotFound)) removeGrpcCall(this.callId);
    return s;
  }
}
