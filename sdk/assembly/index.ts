// The public API of @weft/sdk. A filter imports from here and re-exports "./exports" for the host.
export { Action, BufferType, LogLevel, MapType, MetricType, PeerType, Status, StreamType } from "./abi/enums";
export { lastStatus } from "./abi/status";
export { HeaderPair, parsePairs, serializePairs } from "./abi/pairs";
export { HostBuffer } from "./buffer";
export { HeaderMap } from "./headers";
export { Context } from "./context";
export { RootContext } from "./context-root";
export { HttpContext } from "./context-http";
export { TcpContext } from "./context-tcp";
export { HttpCallback, HttpCallResponse } from "./callout-http";
export { GrpcCallback } from "./callout-grpc";
export { pendingCallouts } from "./callout-registry";
export { registerRootContext, liveContexts } from "./dispatcher";
export { activeContextId } from "./effective";
export { getLogLevel, log, logCritical, logDebug, logEnabled, logError, logInfo, logTrace, logWarn } from "./log";
export {
  getProperty, getPropertyBool, getPropertyF64, getPropertyI64, getPropertyMap, getPropertyString, getPropertyU64,
  propertyPath, setProperty, setPropertyString,
} from "./properties";
export { Counter, Gauge, Histogram, Metric } from "./metrics";
export { getSharedData, setSharedData, setSharedDataString, SharedData, SharedQueue } from "./shared";
export { callForeignFunction, getEnv, getEnvAll, monotonicNanos, nowNanos, randomBytes, randomF64, randomU64 } from "./system";
export {
  JsonArray, JsonBool, JsonKind, JsonNull, JsonNumber, JsonObject, JsonString, JsonValue,
} from "./json-value";
export { JSON_MAX_DEPTH, JsonParseResult, parseJson, parseJsonBytes } from "./json";
export { setGcInterval } from "./runtime";
export { CallStatus, NO_GRPC_STATUS } from "./hostcalls/streams";
