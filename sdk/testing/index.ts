// The SDK test harness: build a filter, run it on the proxy's own Wasm host, drive streams, assert what it did.
export { FilterHarness, PluginStartError, type HarnessOptions, type LogLevel, type LogRecord } from './harness.js';
export { FilterModule, loadFilter, type BuiltModule, type FilterSource } from './filter-module.js';
export { HttpStream, StreamSide, type HttpStreamOptions, type LocalResponse, type MessageInit, type StreamAction } from './http-stream.js';
export { TcpConnection, TcpSide } from './tcp-connection.js';
export {
  Callout,
  FakeCluster,
  FakeClusters,
  type CalloutState,
  type CannedAnswer,
  type CannedFailure,
  type CannedGrpcResponse,
  type CannedResponse,
  type FakeClusterOptions,
  type Responder,
} from './fake-cluster.js';
export { FakeClock } from './fake-clock.js';
export { FakeRandom } from './fake-random.js';
export { toHeaderMap, toBytes, type HeadersInit, type BodyInit } from './headers.js';
export { buildFilter, bundledSdk, weftRoot, type BuildOptions, type BuildResult, type BuildTarget } from './build.js';
export { checkSpecAbi, CALLBACKS, HOST_FUNCTIONS, REQUIRED_EXPORTS, type AbiReport, type Signature } from './abi-spec.js';
export { HeaderMap, BodyBuffer, InProcessSharedData, type SharedDataStore, type PluginMetric, type NodeInfo } from '../../proxy/wasm/index.js';
