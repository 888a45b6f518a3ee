// Layer 1, HTTP and gRPC callouts. Each call returns its status; the id the host assigned is then
// `returnedId()`.
import { Status } from "../abi/enums";
import {
  proxy_grpc_call, proxy_grpc_cancel, proxy_grpc_close, proxy_grpc_send, proxy_grpc_stream, proxy_http_call,
} from "../abi/host";
import { argLen, argMark, argRelease, argReserve, argString, RET_U32 } from "../abi/memory";
import { argPairs, HeaderPair } from "../abi/pairs";
import { record } from "../abi/status";

/** The call or stream id written by the last successful `httpCall`, `grpcCall` or `grpcStream`. */
export function returnedId(): u32 {
  return load<u32>(RET_U32);
}

/** `proxy_http_call` to the cluster `upstream`; headers must hold `:method`, `:path`, `:authority`. */
export function httpCall(
  upstream: string, headers: Array<HeaderPair>, body: ArrayBuffer | null, trailers: Array<HeaderPair> | null,
  timeoutMs: u32,
): Status {
  const mark = argMark();
  const u = argString(upstream);
  const ul = argLen;
  const h = argPairs(headers);
  const hl = argLen;
  const t = argPairs(trailers);
  const tl = argLen;
  const b = body === null ? argReserve(0) : changetype<usize>(body);
  const bl: usize = body === null ? 0 : <usize>body.byteLength;
  store<u32>(RET_U32, 0);
  const s = record(proxy_http_call(u, ul, h, hl, b, bl, t, tl, timeoutMs, RET_U32));
  argRelease(mark);
  return s;
}

/** `proxy_grpc_call`: a unary call of `service`/`method` on the cluster `upstream`. */
export function grpcCall(
  upstream: string, service: string, method: string, initialMetadata: Array<HeaderPair> | null,
  message: ArrayBuffer, timeoutMs: u32,
): Status {
  const mark = argMark();
  const u = argString(upstream);
  const ul = argLen;
  const sv = argString(service);
  const sl = argLen;
  const m = argString(method);
  const ml = argLen;
  const md = argPairs(initialMetadata);
  const mdl = argLen;
  store<u32>(RET_U32, 0);
  const s = record(proxy_grpc_call(
    u, ul, sv, sl, m, ml, md, mdl, changetype<usize>(message), <usize>message.byteLength, timeoutMs, RET_U32,
  ));
  argRelease(mark);
  return s;
}

/** `proxy_grpc_stream`: opens a stream to `service`/`method` on the cluster `upstream`. */
export function grpcStream(
  upstream: string, service: string, method: string, initialMetadata: Array<HeaderPair> | null,
): Status {
  const mark = argMark();
  const u = argString(upstream);
  const ul = argLen;
  const sv = argString(service);
  const sl = argLen;
  const m = argString(method);
  const ml = argLen;
  const md = argPairs(initialMetadata);
  const mdl = argLen;
  store<u32>(RET_U32, 0);
  const s = record(proxy_grpc_stream(u, ul, sv, sl, m, ml, md, mdl, RET_U32));
  argRelease(mark);
  return s;
}

/** `proxy_grpc_send`: sends `message` on an open stream. */
export function grpcSend(streamId: u32, message: ArrayBuffer, endStream: bool): Status {
  return record(proxy_grpc_send(streamId, changetype<usize>(message), <usize>message.byteLength, endStream ? 1 : 0));
}

/** `proxy_grpc_cancel`. */
export function grpcCancel(callOrStreamId: u32): Status {
  return record(proxy_grpc_cancel(callOrStreamId));
}

/** `proxy_grpc_close`. */
export function grpcClose(callOrStreamId: u32): Status {
  return record(proxy_grpc_close(callOrStreamId));
}
