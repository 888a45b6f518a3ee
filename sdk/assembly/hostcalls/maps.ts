// Layer 1, HTTP fields: header maps, trailers and gRPC metadata as AssemblyScript values.
import { MapType, Status } from "../abi/enums";
import {
  proxy_add_header_map_value, proxy_get_header_map_pairs, proxy_get_header_map_size, proxy_get_header_map_value,
  proxy_remove_header_map_value, proxy_replace_header_map_value, proxy_set_header_map_pairs,
} from "../abi/host";
import {
  argLen, argMark, argRelease, argString, clearReturned, releaseReturned, RET_PTR, RET_SIZE, takeBytes, takeString,
} from "../abi/memory";
import { argPairs, HeaderPair, parsePairsAt } from "../abi/pairs";
import { record } from "../abi/status";

/** Value of `key` in `map`, or null (`lastStatus()` is `NotFound` when absent). */
export function getMapValue(map: MapType, key: string): string | null {
  const mark = argMark();
  const k = argString(key);
  const kl = argLen;
  clearReturned();
  const s = record(proxy_get_header_map_value(map, k, kl, RET_PTR, RET_SIZE));
  argRelease(mark);
  if (s != Status.Ok) {
    releaseReturned();
    return null;
  }
  return takeString();
}

/** Value of `key` in `map` as raw bytes, or null. */
export function getMapValueBytes(map: MapType, key: string): ArrayBuffer | null {
  const mark = argMark();
  const k = argString(key);
  const kl = argLen;
  clearReturned();
  const s = record(proxy_get_header_map_value(map, k, kl, RET_PTR, RET_SIZE));
  argRelease(mark);
  if (s != Status.Ok) {
    releaseReturned();
    return null;
  }
  return takeBytes();
}

/** Every pair of `map`, in order; null on a host error or malformed data (`SerializationFailure`). */
export function getMapPairs(map: MapType): Array<HeaderPair> | null {
  clearReturned();
  const s = record(proxy_get_header_map_pairs(map, RET_PTR, RET_SIZE));
  if (s != Status.Ok) {
    releaseReturned();
    return null;
  }
  const ptr = load<usize>(RET_PTR);
  const pairs = parsePairsAt(ptr, ptr == 0 ? 0 : load<usize>(RET_SIZE));
  releaseReturned();
  if (pairs === null) record(Status.SerializationFailure);
  return pairs;
}

/** Serialized size in bytes of `map`; 0 on error. */
export function getMapSerializedSize(map: MapType): usize {
  store<usize>(RET_SIZE, 0);
  const s = record(proxy_get_header_map_size(map, RET_SIZE));
  return s == Status.Ok ? load<usize>(RET_SIZE) : 0;
}

/** Replaces all pairs of `map`. */
export function setMapPairs(map: MapType, pairs: Array<HeaderPair>): Status {
  const mark = argMark();
  const p = argPairs(pairs);
  const s = record(proxy_set_header_map_pairs(map, p, argLen));
  argRelease(mark);
  return s;
}

/** Adds `key: value` to `map`, keeping existing values of `key`. */
export function addMapValue(map: MapType, key: string, value: string): Status {
  const mark = argMark();
  const k = argString(key);
  const kl = argLen;
  const v = argString(value);
  const s = record(proxy_add_header_map_value(map, k, kl, v, argLen));
  argRelease(mark);
  return s;
}

/** Sets `key` to `value` in `map`, replacing existing values (adds when absent). */
export function replaceMapValue(map: MapType, key: string, value: string): Status {
  const mark = argMark();
  const k = argString(key);
  const kl = argLen;
  const v = argString(value);
  const s = record(proxy_replace_header_map_value(map, k, kl, v, argLen));
  argRelease(mark);
  return s;
}

/** Removes `key` from `map` (`Ok` also when it was absent). */
export function removeMapValue(map: MapType, key: string): Status {
  const mark = argMark();
  const k = argString(key);
  const s = record(proxy_remove_header_map_value(map, k, argLen));
  argRelease(mark);
  return s;
}
