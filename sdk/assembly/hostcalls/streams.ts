// Layer 1, contexts and stream control: done, effective context, continue/close, status, local replies.
import { Status, StreamType } from "../abi/enums";
import {
  proxy_close_stream, proxy_continue_stream, proxy_done, proxy_get_status, proxy_send_local_response,
  proxy_set_effective_context,
} from "../abi/host";
import {
  argLen, argMark, argRelease, argReserve, argString, clearReturned, releaseReturned, RET_PTR, RET_SIZE, RET_U32,
  takeString,
} from "../abi/memory";
import { argPairs, HeaderPair } from "../abi/pairs";
import { record } from "../abi/status";

/** `proxy_done`: the effective context, which returned false from `onDone`, may now be finalized. */
export function done(): Status {
  return record(proxy_done());
}

/** `proxy_set_effective_context`: later host calls act on `contextId`. */
export function setEffectiveContext(contextId: u32): Status {
  return record(proxy_set_effective_context(contextId));
}

/** Resumes a paused stream of the effective context. */
export function continueStream(stream: StreamType): Status {
  return record(proxy_continue_stream(stream));
}

/** Closes (resets) a stream of the effective context. */
export function closeStream(stream: StreamType): Status {
  return record(proxy_close_stream(stream));
}

/** The status code and message of an HTTP call or gRPC call/stream, from `proxy_get_status`. */
export class CallStatus {
  constructor(public code: u32, public message: string) {}
}

/** `proxy_get_status`, valid in an HTTP call response or gRPC close callback; null on error. */
export function getStatus(): CallStatus | null {
  clearReturned();
  store<u32>(RET_U32, 0);
  const s = record(proxy_get_status(RET_U32, RET_PTR, RET_SIZE));
  if (s != Status.Ok) {
    releaseReturned();
    return null;
  }
  const code = load<u32>(RET_U32);
  return new CallStatus(code, takeString());
}

/** No gRPC status in a local response (the host derives none). */
export const NO_GRPC_STATUS: u32 = 0xffffffff;

/** `proxy_send_local_response`: answers the stream with this response instead of the upstream's. */
export function sendLocalResponse(
  statusCode: u32, details: string, body: ArrayBuffer | null, headers: Array<HeaderPair> | null, grpcStatus: u32,
): Status {
  const mark = argMark();
  const d = argString(details);
  const dl = argLen;
  const h = argPairs(headers);
  const hl = argLen;
  let b: usize;
  let bl: usize;
  if (body === null) {
    b = argReserve(0);
    bl = 0;
  } else {
    b = changetype<usize>(body);
    bl = <usize>body.byteLength;
  }
  const s = record(proxy_send_local_response(statusCode, d, dl, b, bl, h, hl, grpcStatus));
  argRelease(mark);
  return s;
}
