// The proxy-wasm host: public API for the data plane, the config apply path and the SDK test harness.
export { PluginManager, type PluginManagerOptions } from './plugin-manager.js';
export { WasmPlugin, SharedVm, DEFAULT_BACKOFF, type ReloadBackoff, type WasmPluginOptions } from './plugin.js';
export { pluginSpecFromConfig, configBytes, type PluginSpec, type FailStrategy } from './plugin-spec.js';
export { compileModule, loadModuleBytes, validateModule, sha256Hex, CompiledModule, type CompileOptions, type ModuleResolverOptions } from './module-loader.js';
export { WasmVm, TRAPPED, type VmOptions } from './vm.js';
export { RootContext, HttpContext, TcpContext, Context } from './context.js';
export { WasmMetrics } from './metrics.js';
export { InProcessSharedData, type SharedDataStore, type QueueListener } from './shared-data.js';
export { type HostServices, type ForeignFunction, type NodeInfo } from './host-services.js';
export { fuelPerMs, fuelForBudget } from './fuel.js';
export { pluginFailedReply } from './http-filter.js';
export * from './abi.js';
export { createSharedDataServer, type SharedDataServer } from './shared-data-server.js';
export { CrossWorkerSharedData, sharedDataFromEnv, SHARED_DATA_SOCKET_ENV } from './shared-data-client.js';
