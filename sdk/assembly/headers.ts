// Ergonomic access to one header map: request/response headers and trailers, call responses, gRPC metadata.
import { MapType, Status } from "./abi/enums";
import { HeaderPair } from "./abi/pairs";
import {
  addMapValue, getMapPairs, getMapSerializedSize, getMapValue, getMapValueBytes, removeMapValue, replaceMapValue,
  setMapPairs,
} from "./hostcalls/maps";

/**
 * One of the host's header maps. Obtain it from a context (`this.requestHeaders`…), which makes that
 * context effective first; every method is one host call and never traps.
 *
 * @example
 * const path = this.requestHeaders.get(":path");
 * this.requestHeaders.set("x-seen-by", "weft");
 * this.requestHeaders.remove("x-internal");
 */
export class HeaderMap {
  constructor(readonly mapType: MapType) {}

  /** The value of `name` (the first, or the host's join of repeated values), or null if absent. */
  get(name: string): string | null {
    return getMapValue(this.mapType, name);
  }

  /** The value of `name` as raw bytes, or null if absent. */
  getBytes(name: string): ArrayBuffer | null {
    return getMapValueBytes(this.mapType, name);
  }

  /** Whether `name` is present. */
  has(name: string): bool {
    return getMapValue(this.mapType, name) !== null;
  }

  /** Sets `name` to `value`, replacing any existing value. */
  set(name: string, value: string): Status {
    return replaceMapValue(this.mapType, name, value);
  }

  /** Adds `value` for `name`, keeping existing values. */
  add(name: string, value: string): Status {
    return addMapValue(this.mapType, name, value);
  }

  /** Removes every value of `name` (`Ok` when absent too). */
  remove(name: string): Status {
    return removeMapValue(this.mapType, name);
  }

  /** All pairs in order, or null when unavailable in this callback. */
  pairs(): Array<HeaderPair> | null {
    return getMapPairs(this.mapType);
  }

  /** Replaces the whole map with `pairs`. */
  setPairs(pairs: Array<HeaderPair>): Status {
    return setMapPairs(this.mapType, pairs);
  }

  /** Size of the whole map serialized, in bytes (0 when unavailable). */
  serializedSize(): usize {
    return getMapSerializedSize(this.mapType);
  }
}

export const REQUEST_HEADERS = new HeaderMap(MapType.HttpRequestHeaders);
export const REQUEST_TRAILERS = new HeaderMap(MapType.HttpRequestTrailers);
export const RESPONSE_HEADERS = new HeaderMap(MapType.HttpResponseHeaders);
export const RESPONSE_TRAILERS = new HeaderMap(MapType.HttpResponseTrailers);
export const GRPC_INITIAL_METADATA = new HeaderMap(MapType.GrpcCallInitialMetadata);
export const GRPC_TRAILING_METADATA = new HeaderMap(MapType.GrpcCallTrailingMetadata);
export const HTTP_CALL_RESPONSE_HEADERS = new HeaderMap(MapType.HttpCallResponseHeaders);
export const HTTP_CALL_RESPONSE_TRAILERS = new HeaderMap(MapType.HttpCallResponseTrailers);
