// proxy-wasm ABI v0.2.1 enums with the spec's numbers, plus the statuses Envoy's host adds.

/** proxy_status_t (plus BrokenConnection, which Envoy reports through proxy_get_status). */
export const Status = {
  Ok: 0,
  NotFound: 1,
  BadArgument: 2,
  SerializationFailure: 3,
  ParseFailure: 4,
  InvalidMemoryAccess: 6,
  Empty: 7,
  CasMismatch: 8,
  InternalFailure: 10,
  BrokenConnection: 11,
  Unimplemented: 12,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

export const LogLevel = { Trace: 0, Debug: 1, Info: 2, Warn: 3, Error: 4, Critical: 5 } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export const BufferType = {
  HttpRequestBody: 0,
  HttpResponseBody: 1,
  DownstreamData: 2,
  UpstreamData: 3,
  HttpCallResponseBody: 4,
  GrpcReceiveBuffer: 5,
  VmConfiguration: 6,
  PluginConfiguration: 7,
  CallData: 8,
} as const;
export type BufferType = (typeof BufferType)[keyof typeof BufferType];
export const BUFFER_TYPE_MAX = 8;

export const MapType = {
  HttpRequestHeaders: 0,
  HttpRequestTrailers: 1,
  HttpResponseHeaders: 2,
  HttpResponseTrailers: 3,
  GrpcReceiveInitialMetadata: 4,
  GrpcReceiveTrailingMetadata: 5,
  HttpCallResponseHeaders: 6,
  HttpCallResponseTrailers: 7,
} as const;
export type MapType = (typeof MapType)[keyof typeof MapType];
export const MAP_TYPE_MAX = 7;

export const StreamType = { HttpRequest: 0, HttpResponse: 1, Downstream: 2, Upstream: 3 } as const;
export type StreamType = (typeof StreamType)[keyof typeof StreamType];

export const PeerType = { Unknown: 0, Local: 1, Remote: 2 } as const;

export const MetricType = { Counter: 0, Gauge: 1, Histogram: 2 } as const;
export type MetricType = (typeof MetricType)[keyof typeof MetricType];

/** What proxy_on_request_headers / proxy_on_response_headers return (Envoy's FilterHeadersStatus). */
export const HeadersStatus = {
  Continue: 0,
  StopIteration: 1,
  ContinueAndEndStream: 2,
  StopAllIterationAndBuffer: 3,
  StopAllIterationAndWatermark: 4,
} as const;

/** What proxy_on_*_body returns (Envoy's FilterDataStatus). */
export const DataStatus = {
  Continue: 0,
  StopIterationAndBuffer: 1,
  StopIterationAndWatermark: 2,
  StopIterationNoBuffer: 3,
} as const;

export const WasiErrno = {
  Success: 0,
  Badf: 8,
  Fault: 21,
  Inval: 28,
  Noent: 44,
  Nosys: 52,
  Notdir: 20,
  Notsup: 58,
} as const;

/** ABI versions a module can declare with its `proxy_abi_version_*` export. */
export type AbiVersion = '0.1.0' | '0.2.0' | '0.2.1';

export const ABI_MARKERS: Readonly<Record<string, AbiVersion>> = {
  proxy_abi_version_0_1_0: '0.1.0',
  proxy_abi_version_0_2_0: '0.2.0',
  proxy_abi_version_0_2_1: '0.2.1',
};

/** gRPC status UNAVAILABLE: what a failed plugin answers gRPC requests with. */
export const GRPC_UNAVAILABLE = 14;
