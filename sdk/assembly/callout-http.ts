// HTTP callouts: the per-call callback object and the response it receives.
import { BufferType } from "./abi/enums";
import { getBufferBytes, getBufferString } from "./hostcalls/buffers";
import { HeaderMap, HTTP_CALL_RESPONSE_HEADERS, HTTP_CALL_RESPONSE_TRAILERS } from "./headers";

/**
 * The response to an HTTP callout, readable during `HttpCallback.onResponse` only.
 *
 * @example
 * if (response.failed || response.status() != 200) this.ctx.sendResponse(403, "denied");
 * else this.ctx.resumeRequest();
 */
export class HttpCallResponse {
  constructor(
    readonly callId: u32,
    readonly numHeaders: u32,
    readonly bodySize: usize,
    readonly numTrailers: u32,
  ) {}

  /** True when the call failed (reset, timeout, unknown cluster): the host gave no headers. */
  get failed(): bool {
    return this.numHeaders == 0;
  }

  /** The response headers. */
  get headers(): HeaderMap {
    return HTTP_CALL_RESPONSE_HEADERS;
  }

  /** The response trailers. */
  get trailers(): HeaderMap {
    return HTTP_CALL_RESPONSE_TRAILERS;
  }

  /** One response header, or null. */
  header(name: string): string | null {
    return HTTP_CALL_RESPONSE_HEADERS.get(name);
  }

  /** The `:status` code, or 0 when the call failed or the status is not a number. */
  status(): u32 {
    if (this.numHeaders == 0) return 0;
    const s = HTTP_CALL_RESPONSE_HEADERS.get(":status");
    if (s === null || s.length == 0 || s.length > 3) return 0;
    let code: u32 = 0;
    for (let i = 0; i < s.length; i++) {
      const c = <u32>s.charCodeAt(i) - 48;
      if (c > 9) return 0;
      code = code * 10 + c;
    }
    return code;
  }

  /** The whole body, or null when there is none or it is unavailable. */
  body(): ArrayBuffer | null {
    return getBufferBytes(BufferType.HttpCallResponseBody, 0, this.bodySize);
  }

  /** The whole body as UTF-8, or null. */
  bodyString(): string | null {
    return getBufferString(BufferType.HttpCallResponseBody, 0, this.bodySize);
  }
}

/**
 * What to do with one HTTP callout's response. Subclass it, keep what you need (usually the HTTP
 * context that made the call) in fields, and pass an instance to `httpCall`. The SDK makes the
 * calling context effective before `onResponse` runs, so `resumeRequest()` and friends act on it.
 *
 * @example
 * class CheckDone extends HttpCallback {
 *   constructor(readonly ctx: AuthContext) { super(); }
 *   onResponse(response: HttpCallResponse): void {
 *     if (response.status() == 200) this.ctx.resumeRequest();
 *     else this.ctx.sendResponse(403, "forbidden");
 *   }
 * }
 */
export class HttpCallback {
  /** Called once, with the response or a failure (`response.failed`). */
  onResponse(response: HttpCallResponse): void {}
}
