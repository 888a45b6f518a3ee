// Layer 1, properties: values addressed by a path of segments (serialized NUL-separated).
import { Status } from "../abi/enums";
import { proxy_get_property, proxy_set_property } from "../abi/host";
import { argLen, argMark, argRelease, argReserve, clearReturned, releaseReturned, RET_PTR, RET_SIZE, takeBytes } from "../abi/memory";
import { record } from "../abi/status";

/** Writes `path` into the argument arena as NUL-separated UTF-8 segments; sets `argLen`. */
function argPath(path: Array<string>): usize {
  let size: usize = 0;
  for (let i = 0, n = path.length; i < n; i++) {
    size += <usize>String.UTF8.byteLength(unchecked(path[i])) + (i > 0 ? 1 : 0);
  }
  const ptr = argReserve(size);
  let at = ptr;
  for (let i = 0, n = path.length; i < n; i++) {
    if (i > 0) store<u8>(at++, 0);
    const seg = unchecked(path[i]);
    at += String.UTF8.encodeUnsafe(changetype<usize>(seg), seg.length, at);
  }
  return ptr;
}

/** `proxy_get_property`: the raw value at `path`, or null (`NotFound` when there is none). */
export function getProperty(path: Array<string>): ArrayBuffer | null {
  const mark = argMark();
  const p = argPath(path);
  clearReturned();
  const s = record(proxy_get_property(p, argLen, RET_PTR, RET_SIZE));
  argRelease(mark);
  if (s != Status.Ok) {
    releaseReturned();
    return null;
  }
  return takeBytes();
}

/** `proxy_set_property`: sets the value at `path`. */
export function setProperty(path: Array<string>, value: ArrayBuffer): Status {
  const mark = argMark();
  const p = argPath(path);
  const s = record(proxy_set_property(p, argLen, changetype<usize>(value), <usize>value.byteLength));
  argRelease(mark);
  return s;
}
