// The Snapshot schema: everything one proxy does, as one document (weft.yaml or a control-plane push).
import { Type, type StaticDecode, type TSchema } from '@sinclair/typebox';
import { Address, ByteSize, Duration } from './units.js';
import { NameField, RouteTable } from './schema-routes.js';

export const TlsListener = Type.Object(
  {
    certificate: NameField('Secret holding the server certificate chain and its private key.'),
    client_ca: Type.Optional(NameField('Secret holding the CA bundle client certificates are verified against.')),
    require_client_certificate: Type.Boolean({ default: false, description: 'Mutual TLS: reject clients without a certificate signed by `client_ca`.' }),
    alpn: Type.Optional(
      Type.Array(Type.Union([Type.Literal('h2'), Type.Literal('http/1.1')]), {
        minItems: 1,
        description: 'Protocols offered by ALPN, in order of preference (default on HTTP listeners: h2 when `http.http2`, then http/1.1).',
      }),
    ),
    min_version: Type.Union([Type.Literal('TLSv1.2'), Type.Literal('TLSv1.3')], { default: 'TLSv1.2', description: 'Oldest TLS version accepted.' }),
  },
  {
    additionalProperties: false,
    description:
      'Terminate TLS. `certificate` names a secret with a certificate and key; `client_ca` a secret with a CA bundle. ALPN defaults to h2 and http/1.1 on HTTP listeners.',
  },
);

export const HttpListenerOptions = Type.Object(
  {
    route_table: NameField('Route table that routes this listener\'s requests.'),
    filter_chain: Type.Optional(NameField('Filter chain every request of this listener runs through (before the route\'s own chain).')),
    http2: Type.Boolean({ default: true, description: 'Accept HTTP/2 (prior knowledge on cleartext, ALPN "h2" over TLS).' }),
    max_header_bytes: ByteSize('Largest request header block (431 beyond).', '60KiB'),
    max_header_count: Type.Integer({ minimum: 1, maximum: 10_000, default: 100, description: 'Most request headers (431 beyond).' }),
    max_buffer_bytes: ByteSize('Largest body a filter may buffer (413 for requests, 500 for responses).', '1MiB'),
    headers_timeout: Duration('Time to receive a whole request head (408).', '10s'),
    request_timeout: Duration('Time to receive a whole request, body included (408).', 0),
    idle_timeout: Duration('Close a downstream connection idle this long.', '60s'),
    drain_timeout: Duration('On shutdown, how long in-flight requests may take before connections are closed.', '15s'),
    xff_trusted_hops: Type.Integer({ minimum: 0, default: 0, description: 'How many x-forwarded-for entries to trust as proxies in front of Weft.' }),
  },
  { additionalProperties: false, description: 'HTTP options (protocol `http`): routing, limits and timeouts.' },
);

export const TcpListenerOptions = Type.Object(
  {
    cluster: NameField('Cluster every connection is proxied to.'),
    filter_chain: Type.Optional(NameField('Network filter chain the bytes run through.')),
    idle_timeout: Duration('Close a connection with no bytes either way for this long.', '1h'),
  },
  { additionalProperties: false, description: 'TCP options (protocol `tcp`): bytes to a cluster, no HTTP.' },
);

export const Listener = Type.Object(
  {
    name: NameField('Listener name, unique; in metrics and logs.'),
    address: Address('Where to listen; "*:8080" or "0.0.0.0:8080" for every IPv4 address, "[::]:8080" for every address; port 0 picks a free port.'),
    protocol: Type.Union([Type.Literal('http'), Type.Literal('tcp')], { default: 'http', description: 'HTTP (HTTP/1.1, HTTP/2, gRPC, WebSocket) or raw TCP.' }),
    http: Type.Optional(HttpListenerOptions),
    tcp: Type.Optional(TcpListenerOptions),
    tls: Type.Optional(TlsListener),
  },
  { additionalProperties: false, description: '`http` options for protocol http, `tcp` options for protocol tcp.' },
);

export const Endpoint = Type.Object(
  {
    address: Address('The endpoint (an IP address or a host name resolved when connecting).'),
    weight: Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'Share of requests relative to the other endpoints.' }),
  },
  { additionalProperties: false, description: 'One upstream instance.' },
);

export const ClusterTls = Type.Object(
  {
    ca: Type.Optional(NameField('Secret holding the CA bundle the upstream certificate is verified against (default: the system roots).')),
    sni: Type.Optional(Type.String({ minLength: 1, description: 'Server name sent and verified (default: the endpoint\'s host).' })),
    client_certificate: Type.Optional(NameField('Secret holding a certificate and key presented to the upstream (mutual TLS).')),
    alpn: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'Protocols offered by ALPN (default: from `protocol`).' })),
  },
  {
    additionalProperties: false,
    description:
      'Originate TLS. `ca` names a secret with the CA bundle to verify the upstream against (default: the system roots); `client_certificate` a certificate+key secret for mutual TLS.',
  },
);

export const Cluster = Type.Object(
  {
    name: NameField('Cluster name, unique; referenced by routes and TCP listeners.'),
    protocol: Type.Union([Type.Literal('http1'), Type.Literal('http2')], { default: 'http1', description: 'How Weft talks to the endpoints (gRPC needs http2).' }),
    endpoints: Type.Array(Endpoint, { description: 'Static endpoints; an empty list answers 503.' }),
    lb_policy: Type.Union([Type.Literal('round_robin'), Type.Literal('random')], { default: 'round_robin', description: 'How an endpoint is picked, weighted by endpoint weight.' }),
    connect_timeout: Duration('Time to establish a connection (502 beyond).', '5s'),
    idle_timeout: Duration('Close pooled upstream connections idle this long.', '30s'),
    max_connections_per_endpoint: Type.Integer({ minimum: 1, default: 1024, description: 'Most connections open to one endpoint; requests beyond wait for one.' }),
    tls: Type.Optional(ClusterTls),
  },
  { additionalProperties: false, description: 'An upstream service: endpoints, load balancing, connection settings.' },
);

export const Secret = Type.Object(
  {
    name: NameField('Secret name, unique; referenced by listener and cluster TLS settings.'),
    certificate: Type.Optional(Type.String({ description: 'PEM certificate chain, inline.' })),
    certificate_file: Type.Optional(Type.String({ description: 'Path of a PEM certificate chain (relative to the config file).' })),
    private_key: Type.Optional(Type.String({ description: 'PEM private key, inline (redacted in /config_dump).' })),
    private_key_file: Type.Optional(Type.String({ description: 'Path of a PEM private key (relative to the config file).' })),
    ca: Type.Optional(Type.String({ description: 'PEM CA bundle, inline.' })),
    ca_file: Type.Optional(Type.String({ description: 'Path of a PEM CA bundle (relative to the config file).' })),
  },
  { additionalProperties: false, description: 'A certificate with its key, and/or a CA bundle. Files are read when the Snapshot is loaded.' },
);

export const PluginModule = Type.Object(
  {
    file: Type.Optional(Type.String({ minLength: 1, description: 'Path of a .wasm file (relative to the config file).' })),
    sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Content hash; in mesh mode the control plane serves the module.' })),
  },
  { additionalProperties: false, description: 'The Wasm module: at least one of `file`, `sha256`; with both, the file must have that hash.' },
);

export const Plugin = Type.Object(
  {
    name: NameField('Plugin name, unique; in logs, metrics and the plugin_name property.'),
    module: PluginModule,
    root_id: Type.String({ default: '', description: 'Root id the module registers its root context under ("" for the default).' }),
    vm_id: Type.String({ default: '', description: 'Plugins with the same vm_id and module share one VM (and its shared data).' }),
    configuration: Type.Optional(Type.Unknown({ description: 'Plugin configuration: a string is passed as is, anything else as JSON.' })),
    vm_configuration: Type.Optional(Type.Unknown({ description: 'VM configuration: a string is passed as is, anything else as JSON.' })),
    environment: Type.Optional(
      Type.Object(
        {
          allow: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Host environment variables the plugin may read.' }),
          set: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Variables given to the plugin.' }),
        },
        { additionalProperties: false, description: 'Environment variables the plugin sees (WASI environ).' },
      ),
    ),
    filter_chains: Type.Array(NameField('A filter chain, named by a listener or route.'), { default: [], description: 'Filter chains this plugin runs in; empty for a singleton service.' }),
    priority: Type.Integer({ default: 0, description: 'Order within a chain: higher runs first; ties keep list order.' }),
    singleton: Type.Boolean({ default: false, description: 'Run as a service with only a root context (timers, callouts, shared data), no streams.' }),
    fail_strategy: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('reload')], {
      default: 'closed',
      description: 'When the VM traps: closed answers 503, open skips the filter, reload replaces the VM (with backoff) and answers 503 meanwhile.',
    }),
    limits: Type.Object(
      {
        memory: ByteSize('Largest linear memory of the VM.', '64MiB'),
        callback_cpu: Duration('CPU time one callback may take before the VM is stopped.', '100ms'),
        max_buffer_bytes: Type.Optional(ByteSize('Overrides the listener\'s body buffer limit for this plugin.')),
      },
      { additionalProperties: false, default: {}, description: 'Resource limits of the plugin\'s VM.' },
    ),
  },
  { additionalProperties: false, description: 'A proxy-wasm plugin (ABI v0.2.1): the module, its configuration, and the filter chains it runs in.' },
);

export const Admin = Type.Object(
  {
    address: Address('Admin listener (/ready, /stats/prometheus, /config_dump).', '127.0.0.1:9901'),
  },
  { additionalProperties: false, default: {}, description: 'The admin listener.' },
);

export const SnapshotSchema = Type.Object(
  {
    version: Type.Optional(Type.String({ description: 'Set by the config source (file content hash or control-plane version).' })),
    node: Type.Optional(
      Type.Object(
        {
          id: Type.String({ minLength: 1, description: 'This proxy\'s id (the node_id property of plugins).' }),
          service: Type.Optional(Type.String({ minLength: 1, description: 'The service this proxy fronts.' })),
          metadata: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Free-form labels (zone, version…), visible to plugins as node metadata.' }),
        },
        { additionalProperties: false, description: 'Who this proxy is; set by the control plane in mesh mode.' },
      ),
    ),
    admin: Admin,
    listeners: Type.Array(Listener, { default: [], description: 'Where the proxy accepts connections.' }),
    route_tables: Type.Array(RouteTable, { default: [], description: 'Routing of HTTP listeners.' }),
    clusters: Type.Array(Cluster, { default: [], description: 'Upstream services.' }),
    secrets: Type.Array(Secret, { default: [], description: 'Certificates, keys and CA bundles, referenced by name.' }),
    plugins: Type.Array(Plugin, { default: [], description: 'Wasm plugins and the filter chains they form.' }),
  },
  {
    additionalProperties: false,
    $id: 'https://weft.dev/schemas/snapshot.json',
    title: 'Weft Snapshot (weft.yaml)',
    description: 'Everything one Weft proxy does. Loaded from weft.yaml in standalone mode, pushed by the control plane in mesh mode.',
  },
);

/** The decoded, validated, frozen Snapshot the proxy runs on (durations in ms, sizes in bytes, addresses parsed). */
export type Snapshot = DeepReadonly<StaticDecode<typeof SnapshotSchema>>;
export type Listener = Snapshot['listeners'][number];
export type HttpListenerConfig = NonNullable<Listener['http']>;
export type TcpListenerConfig = NonNullable<Listener['tcp']>;
export type TlsListenerConfig = NonNullable<Listener['tls']>;
export type RouteTableConfig = Snapshot['route_tables'][number];
export type VirtualHostConfig = RouteTableConfig['virtual_hosts'][number];
export type RouteConfig = VirtualHostConfig['routes'][number];
export type ClusterConfig = Snapshot['clusters'][number];
export type EndpointConfig = ClusterConfig['endpoints'][number];
export type SecretConfig = Snapshot['secrets'][number];
export type PluginConfig = Snapshot['plugins'][number];

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends Record<string, unknown>
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type { TSchema };
