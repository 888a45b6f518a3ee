// Layer 1, shared key-value data (with compare-and-swap) and shared queues.
import { Status } from "../abi/enums";
import {
  proxy_dequeue_shared_queue, proxy_enqueue_shared_queue, proxy_get_shared_data, proxy_register_shared_queue,
  proxy_resolve_shared_queue, proxy_set_shared_data,
} from "../abi/host";
import {
  argLen, argMark, argRelease, argString, clearReturned, releaseReturned, RET_PTR, RET_SIZE, RET_U32, takeBytes,
} from "../abi/memory";
import { record } from "../abi/status";

/** The CAS value written by the last successful `getSharedData`. */
export function returnedCas(): u32 {
  return load<u32>(RET_U32);
}

/** The queue id written by the last successful `registerSharedQueue` or `resolveSharedQueue`. */
export function returnedQueueId(): u32 {
  return load<u32>(RET_U32);
}

/** `proxy_get_shared_data`: the value of `key` (null when absent) and its CAS in `returnedCas()`. */
export function getSharedData(key: string): ArrayBuffer | null {
  const mark = argMark();
  const k = argString(key);
  clearReturned();
  store<u32>(RET_U32, 0);
  const s = record(proxy_get_shared_data(k, argLen, RET_PTR, RET_SIZE, RET_U32));
  argRelease(mark);
  if (s != Status.Ok) {
    releaseReturned();
    return null;
  }
  return takeBytes();
}

/** `proxy_set_shared_data`; a non-zero `cas` must match the host's or the result is `CasMismatch`. */
export function setSharedData(key: string, value: ArrayBuffer, cas: u32): Status {
  const mark = argMark();
  const k = argString(key);
  const s = record(proxy_set_shared_data(k, argLen, changetype<usize>(value), <usize>value.byteLength, cas));
  argRelease(mark);
  return s;
}

/** `proxy_register_shared_queue`: creates or opens the queue `name` of this VM. */
export function registerSharedQueue(name: string): Status {
  const mark = argMark();
  const n = argString(name);
  store<u32>(RET_U32, 0);
  const s = record(proxy_register_shared_queue(n, argLen, RET_U32));
  argRelease(mark);
  return s;
}

/** `proxy_resolve_shared_queue`: finds the queue `name` registered by the VM `vmId`. */
export function resolveSharedQueue(vmId: string, name: string): Status {
  const mark = argMark();
  const v = argString(vmId);
  const vl = argLen;
  const n = argString(name);
  store<u32>(RET_U32, 0);
  const s = record(proxy_resolve_shared_queue(v, vl, n, argLen, RET_U32));
  argRelease(mark);
  return s;
}

/** `proxy_enqueue_shared_queue`. */
export function enqueueSharedQueue(queueId: u32, value: ArrayBuffer): Status {
  return record(proxy_enqueue_shared_queue(queueId, changetype<usize>(value), <usize>value.byteLength));
}

/** `proxy_dequeue_shared_queue`: the front item, or null (`lastStatus()` is `Empty` when none). */
export function dequeueSharedQueue(queueId: u32): ArrayBuffer | null {
  clearReturned();
  const s = record(proxy_dequeue_shared_queue(queueId, RET_PTR, RET_SIZE));
  if (s != Status.Ok) {
    releaseReturned();
    return null;
  }
  return takeBytes();
}
