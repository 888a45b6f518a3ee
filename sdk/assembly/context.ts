// The base of every context: lifecycle callbacks with no-op defaults, and callouts any context may make.
import { Status } from "./abi/enums";
import { HeaderPair } from "./abi/pairs";
import { HttpCallback } from "./callout-http";
import { GrpcCallback } from "./callout-grpc";
import { addGrpcCall, addHttpCall } from "./callout-registry";
import { makeEffective } from "./effective";
import { grpcCall, grpcStream, httpCall, returnedId } from "./hostcalls/callouts";
import { done } from "./hostcalls/streams";

/**
 * A proxy-wasm context: the root (plugin) context, or one HTTP or TCP stream. The host calls
 * `onDone`, then `onLog`, then `onDelete` when it is finished with it.
 */
export class Context {
  constructor(readonly id: u32) {}

  /**
   * The host is done with this context. Return false to keep it alive (for example while a
   * callout is pending) and call `done()` later.
   */
  onDone(): bool {
    return true;
  }

  /** Last chance to read the stream's headers and properties, e.g. for an access log line. */
  onLog(): void {}

  /** The context is gone; drop what refers to it. */
  onDelete(): void {}

  /**
   * Tells the host this context, which returned false from `onDone`, may now be finalized.
   *
   * @example
   * onDone(): bool { return this.flushed; }      // later, when the flush callout answers:
   * this.flushed = true; this.done();
   */
  done(): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : done();
  }

  /**
   * Sends an HTTP request to the cluster `upstream`; `callback.onResponse` receives the answer (or
   * a failure after `timeoutMs`). `headers` must include `:method`, `:path` and `:authority`.
   * Returns the host's status: `BadArgument` for an unknown cluster or missing pseudo-headers.
   *
   * @example
   * const s = this.httpCall("auth", [
   *   new HeaderPair(":method", "GET"), new HeaderPair(":path", "/check"),
   *   new HeaderPair(":authority", "auth"),
   * ], null, null, 500, new CheckDone(this));
   * return s == Status.Ok ? Action.Pause : Action.Continue;
   */
  httpCall(
    upstream: string, headers: Array<HeaderPair>, body: ArrayBuffer | null, trailers: Array<HeaderPair> | null,
    timeoutMs: u32, callback: HttpCallback,
  ): Status {
    let s = makeEffective(this.id);
    if (s != Status.Ok) return s;
    s = httpCall(upstream, headers, body, trailers, timeoutMs);
    if (s == Status.Ok) addHttpCall(returnedId(), this.id, callback);
    return s;
  }

  /**
   * Makes a unary gRPC call; `callback` receives the reply (`onMessage`) or the failure (`onClose`).
   *
   * @example
   * this.grpcCall("users", "users.v1.Users", "Get", null, requestBytes, 1000, new Lookup(this));
   */
  grpcCall(
    upstream: string, service: string, method: string, initialMetadata: Array<HeaderPair> | null,
    message: ArrayBuffer, timeoutMs: u32, callback: GrpcCallback,
  ): Status {
    let s = makeEffective(this.id);
    if (s != Status.Ok) return s;
    s = grpcCall(upstream, service, method, initialMetadata, message, timeoutMs);
    if (s == Status.Ok) {
      callback.callId = returnedId();
      callback.streaming = false;
      addGrpcCall(callback.callId, this.id, callback);
    }
    return s;
  }

  /**
   * Opens a gRPC stream; send with `callback.send(...)`, receive through its callbacks.
   *
   * @example
   * const feed = new Feed();
   * if (this.grpcStream("events", "events.v1.Events", "Watch", null, feed) == Status.Ok) feed.send(hello);
   */
  grpcStream(
    upstream: string, service: string, method: string, initialMetadata: Array<HeaderPair> | null,
    callback: GrpcCallback,
  ): Status {
    let s = makeEffective(this.id);
    if (s != Status.Ok) return s;
    s = grpcStream(upstream, service, method, initialMetadata);
    if (s == Status.Ok) {
      callback.callId = returnedId();
      callback.streaming = true;
      addGrpcCall(callback.callId, this.id, callback);
    }
    return s;
  }
}
