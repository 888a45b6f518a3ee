// The context of one HTTP stream (request and response).
import { Action, Status, StreamType } from "./abi/enums";
import { HeaderPair } from "./abi/pairs";
import { HostBuffer, REQUEST_BODY, RESPONSE_BODY } from "./buffer";
import { Context } from "./context";
import { RootContext } from "./context-root";
import { makeEffective } from "./effective";
import { HeaderMap, REQUEST_HEADERS, REQUEST_TRAILERS, RESPONSE_HEADERS, RESPONSE_TRAILERS } from "./headers";
import { closeStream, continueStream, NO_GRPC_STATUS, sendLocalResponse } from "./hostcalls/streams";

/**
 * One HTTP stream. Each `on…` callback returns `Action.Continue` or `Action.Pause`; a paused
 * stream resumes with `resumeRequest()`/`resumeResponse()` or ends with a local response.
 *
 * @example
 * class Hello extends HttpContext {
 *   onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
 *     this.responseHeaders.set("x-hello", "world");
 *     return Action.Continue;
 *   }
 * }
 */
export class HttpContext extends Context {
  constructor(id: u32, readonly root: RootContext) {
    super(id);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    return Action.Continue;
  }
  /** A request body chunk; `bodySize` is all that is buffered so far when the stream is paused. */
  onRequestBody(bodySize: usize, endOfStream: bool): Action {
    return Action.Continue;
  }
  onRequestTrailers(numTrailers: u32): Action {
    return Action.Continue;
  }
  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    return Action.Continue;
  }
  /** A response body chunk; `bodySize` is all that is buffered so far when the stream is paused. */
  onResponseBody(bodySize: usize, endOfStream: bool): Action {
    return Action.Continue;
  }
  onResponseTrailers(numTrailers: u32): Action {
    return Action.Continue;
  }

  /** Request headers (read/write in `onRequestHeaders`, read in `onLog`). */
  get requestHeaders(): HeaderMap {
    makeEffective(this.id);
    return REQUEST_HEADERS;
  }
  /** Request trailers. */
  get requestTrailers(): HeaderMap {
    makeEffective(this.id);
    return REQUEST_TRAILERS;
  }
  /** Response headers. */
  get responseHeaders(): HeaderMap {
    makeEffective(this.id);
    return RESPONSE_HEADERS;
  }
  /** Response trailers. */
  get responseTrailers(): HeaderMap {
    makeEffective(this.id);
    return RESPONSE_TRAILERS;
  }
  /** The request body buffered so far (in `onRequestBody`). */
  get requestBody(): HostBuffer {
    makeEffective(this.id);
    return REQUEST_BODY;
  }
  /** The response body buffered so far (in `onResponseBody`). */
  get responseBody(): HostBuffer {
    makeEffective(this.id);
    return RESPONSE_BODY;
  }

  /** Resumes a request paused by returning `Action.Pause`. */
  resumeRequest(): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : continueStream(StreamType.HttpRequest);
  }
  /** Resumes a paused response. */
  resumeResponse(): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : continueStream(StreamType.HttpResponse);
  }
  /** Resets the request. */
  closeRequest(): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : closeStream(StreamType.HttpRequest);
  }
  /** Resets the response. */
  closeResponse(): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : closeStream(StreamType.HttpResponse);
  }

  /**
   * Answers the client with this response instead of the upstream's (until the response headers
   * were sent). `details` shows in the host's access log; `grpcStatus` is for gRPC clients.
   *
   * @example
   * return this.sendLocalResponse(429, String.UTF8.encode("slow down"),
   *   [new HeaderPair("retry-after", "1")], "rate_limited") == Status.Ok ? Action.Pause : Action.Continue;
   */
  sendLocalResponse(
    statusCode: u32, body: ArrayBuffer | null, headers: Array<HeaderPair> | null = null, details: string = "",
    grpcStatus: u32 = NO_GRPC_STATUS,
  ): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : sendLocalResponse(statusCode, details, body, headers, grpcStatus);
  }

  /**
   * `sendLocalResponse` with a text body.
   *
   * @example
   * this.sendResponse(403, "forbidden\n", [new HeaderPair("content-type", "text/plain")]);
   * return Action.Pause;
   */
  sendResponse(statusCode: u32, body: string, headers: Array<HeaderPair> | null = null): Status {
    return this.sendLocalResponse(statusCode, String.UTF8.encode(body), headers);
  }
}
