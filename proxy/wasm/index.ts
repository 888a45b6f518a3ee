// The proxy-wasm host: public API for the data plane, the config apply path and the SDK test harness.
export { PluginManager, type PluginManagerOptions } from './plugin-manager.js';
export { WasmPlugin, SharedVm, DEFAULT_BACKOFF, type ReloadBackoff, type WasmPluginOptions } from './plugin.js';
export { pluginSpecFromConfig, configBytes, type PluginSpec, type FailStrategy } from './plugin-spec.js';
export { compileModule, loadModuleBytes, validateModule, sha256Hex, CompiledModule, type CompileOptions, type ModuleResolverOptions } from './module-loader.js';
export { WasmVm, TRAPPED, type VmOptions } from './vm.js';
export { inspectModule, formatFuncType, sameFuncType, type ModuleInfo, type FuncType, type ValType } from './module-inspect.js';
export { RootContext, HttpContext, TcpContext, Context } from './context.js';
export { WasmMetrics, type PluginMetric } from './metrics.js';
export { SYSTEM_CLOCK, type HostClock } from './clock.js';
export { InProcessSharedData, type SharedDataStore, type QueueListener } from './shared-data.js';
export { type HostServices, type ForeignFunction, type NodeInfo } from './host-services.js';
export { fuelPerMs, fuelForBudget } from './fuel.js';
export { pluginFailedReply, WasmHttpFilterFactory } from './http-filter.js';
export { WasmNetworkFilterFactory } from './network-filter.js';
export * from './abi.js';
export { createSharedDataServer, type SharedDataServer } from './shared-data-server.js';
export { CrossWorkerSharedData, sharedDataFromEnv, SHARED_DATA_SOCKET_ENV } from './shared-data-client.js';
// The contracts a plugin's filters are driven through (for the SDK test harness, which may import only proxy/wasm).
export { HeaderMap } from '../http/header-map.js';
export { BodyBuffer } from '../http/body-buffer.js';
export { FilterAction, type HttpFilter, type HttpFilterCallbacks, type HttpFilterFactory, type LocalReply } from '../http/filter.js';
export type { ConnectionInfo, StreamInfo, TlsInfo, PeerCertificate } from '../http/stream-info.js';
export type { NetworkFilter, NetworkFilterCallbacks, NetworkFilterFactory, PeerType } from '../tcp/network-filter.js';
export type { Cluster, ClusterManager, UpstreamFailure, UpstreamRequest, UpstreamRequestOptions, UpstreamResponseHandler } from '../upstream/types.js';
