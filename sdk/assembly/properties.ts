// Properties: host values addressed by a path (request.path, source.address, plugin_root_id…), with
// typed decoding. Property names and encodings are host-defined; these helpers follow Envoy's.
import { Status } from "./abi/enums";
import { HeaderPair, parsePairs } from "./abi/pairs";
import { record } from "./abi/status";
import { getProperty as hostGet, setProperty as hostSet } from "./hostcalls/properties";

/**
 * Splits a dotted path ("request.headers.x-id" → ["request", "headers", "x-id"]). Use an explicit
 * array when a segment itself contains a dot.
 *
 * @example
 * const p = propertyPath("source.address");
 */
export function propertyPath(dotted: string): Array<string> {
  return dotted.split(".");
}

/**
 * The raw bytes of a property, or null (`lastStatus()` is `NotFound` when it does not exist).
 *
 * @example
 * const raw = getProperty(["connection", "mtls"]);
 */
export function getProperty(path: Array<string>): ArrayBuffer | null {
  return hostGet(path);
}

/**
 * A string property (UTF-8), or `fallback`.
 *
 * @example
 * const path = getPropertyString(["request", "path"], "/");
 * const peer = getPropertyString(propertyPath("source.address"));
 */
export function getPropertyString(path: Array<string>, fallback: string = ""): string {
  const raw = hostGet(path);
  return raw === null ? fallback : String.UTF8.decode(raw);
}

/**
 * An integer property (8 bytes little-endian, as Envoy encodes int64, durations and timestamps), or
 * `fallback` when absent or of another size (`lastStatus()` is `SerializationFailure` then).
 *
 * @example
 * const size = getPropertyI64(["request", "size"], -1);
 */
export function getPropertyI64(path: Array<string>, fallback: i64 = 0): i64 {
  const raw = hostGet(path);
  if (raw === null) return fallback;
  if (raw.byteLength != 8) {
    record(Status.SerializationFailure);
    return fallback;
  }
  return load<i64>(changetype<usize>(raw));
}

/** An unsigned integer property (8 bytes little-endian), or `fallback`. */
export function getPropertyU64(path: Array<string>, fallback: u64 = 0): u64 {
  const raw = hostGet(path);
  if (raw === null) return fallback;
  if (raw.byteLength != 8) {
    record(Status.SerializationFailure);
    return fallback;
  }
  return load<u64>(changetype<usize>(raw));
}

/** A floating-point property (8 bytes little-endian), or `fallback`. */
export function getPropertyF64(path: Array<string>, fallback: f64 = 0): f64 {
  const raw = hostGet(path);
  if (raw === null) return fallback;
  if (raw.byteLength != 8) {
    record(Status.SerializationFailure);
    return fallback;
  }
  return load<f64>(changetype<usize>(raw));
}

/**
 * A boolean property (one byte), or `fallback`.
 *
 * @example
 * const mtls = getPropertyBool(["connection", "mtls"]);
 */
export function getPropertyBool(path: Array<string>, fallback: bool = false): bool {
  const raw = hostGet(path);
  if (raw === null) return fallback;
  if (raw.byteLength != 1) {
    record(Status.SerializationFailure);
    return fallback;
  }
  return load<u8>(changetype<usize>(raw)) != 0;
}

/**
 * A map-valued property (serialized like a header map, e.g. `request.headers`), or null.
 *
 * @example
 * const headers = getPropertyMap(["request", "headers"]);
 */
export function getPropertyMap(path: Array<string>): Array<HeaderPair> | null {
  const raw = hostGet(path);
  if (raw === null) return null;
  const pairs = parsePairs(raw);
  if (pairs === null) record(Status.SerializationFailure);
  return pairs;
}

/**
 * Sets a property to raw bytes (for example filter state other filters read).
 *
 * @example
 * setProperty(["filter_state", "tenant"], String.UTF8.encode("acme"));
 */
export function setProperty(path: Array<string>, value: ArrayBuffer): Status {
  return hostSet(path, value);
}

/** Sets a property to a UTF-8 string. */
export function setPropertyString(path: Array<string>, value: string): Status {
  return hostSet(path, String.UTF8.encode(value));
}
