// The Snapshot contract as a running proxy needs it: types, addresses and error formatting, without the schema, YAML parser or validator.
export type {
  Snapshot,
  Listener,
  HttpListenerConfig,
  TcpListenerConfig,
  TlsListenerConfig,
  RouteTableConfig,
  VirtualHostConfig,
  RouteConfig,
  ClusterConfig,
  EndpointConfig,
  SecretConfig,
  PluginConfig,
  DeepReadonly,
} from './schema.js';
export type { DurationMs } from './units.js';
export { parseAddress, formatAddress, type HostPort } from './address.js';
export { formatConfigError, formatPath, pointerToSegments, type ConfigError } from './errors.js';
