// End-to-end fixture for first-party plugins: a real data plane with the real PluginManager, the plugin
// built from source (debug build, so a trap names its line), a recording upstream and HTTP clients.
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parseSnapshot } from '../../api/snapshot/index.js';
import { Logging } from '../../lib/log.js';
import { createDataPlane, type DataPlaneImpl } from '../../proxy/data-plane-impl.js';
import { PluginManager } from '../../proxy/wasm/index.js';
import { buildFilter, weftRoot } from '../../sdk/testing/index.js';
import { LogCapture } from '../http1/harness.js';

/** What an upstream saw of one request. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The proxy's end of the upstream connection (one pool per worker: different workers, different ports). */
  remotePort: number;
}

/** A node:http server on 127.0.0.1:0 that records requests and answers with `handler` (default: 200 JSON echo). */
export async function startUpstream(handler?: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ port: number; seen: Seen[]; server: Server; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, remotePort: req.socket.remotePort ?? 0 });
      if (handler) return handler(req, body, res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, path: req.url }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP/1.1 request to 127.0.0.1:`port` (a fresh connection each time). */
export function send(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface PluginProxy {
  readonly port: number;
  readonly dp: DataPlaneImpl;
  readonly registry: Registry;
  readonly logs: LogCapture;
  /** The value of a plugin metric (`weft_wasm_<name>{plugin}`), 0 when absent. */
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts a data plane whose listener "main" (127.0.0.1:0) runs the plugin `name` (built from
 * plugins/<name>) with `configuration`, routing everything to `upstreamPort`. `clusters` adds YAML
 * cluster entries (for callouts).
 */
export async function startPluginProxy(name: string, configuration: unknown, upstreamPort: number, options: { clusters?: string; vmId?: string } = {}): Promise<PluginProxy> {
  const built = await buildFilter(join(weftRoot, 'plugins', name), { target: 'debug' });
  const dir = mkdtempSync(join(tmpdir(), `weft-e2e-${name}-`));
  const file = join(dir, `${name}.wasm`);
  writeFileSync(file, built.wasm);
  if (built.sourceMap) writeFileSync(`${file}.map`, built.sourceMap);
  const yaml = `
listeners:
  - name: main
    address: 127.0.0.1:0
    http: { route_table: rt, filter_chain: edge }
route_tables:
  - name: rt
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: default
            match: { path: { prefix: / } }
            forward: { cluster: up }
clusters:
  - name: up
    endpoints: [{ address: 127.0.0.1:${upstreamPort} }]
${options.clusters ?? ''}
plugins:
  - name: ${name}
    module: { file: ${JSON.stringify(file)} }
    configuration: ${JSON.stringify(configuration)}
    filter_chains: [edge]
    vm_id: ${JSON.stringify(options.vmId ?? name)}
    fail_strategy: closed
`;
  const parsed = parseSnapshot(yaml, { file: 'e2e.yaml' });
  if (!parsed.ok) throw new Error(`invalid e2e snapshot:\n${parsed.error.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
  const logs = new LogCapture();
  const logging = new Logging({ level: 'info', destination: logs });
  const registry = new Registry();
  // Wired as the proxy's composition root wires it (proxy/workers/process-data-plane.ts).
  let live: DataPlaneImpl | undefined;
  const plugins = new PluginManager({ logging, registry, clusters: () => live?.clusters() });
  const dp = createDataPlane({ logging, metrics: registry, filterChains: plugins });
  live = dp;
  await dp.apply(parsed.value);
  return {
    port: dp.addresses().get('main')!.port,
    dp,
    registry,
    logs,
    async metric(metric: string): Promise<number> {
      const m = registry.getSingleMetric(`weft_wasm_${metric}`);
      if (!m) return 0;
      const v = (await m.get()).values.find((x) => x.labels.plugin === name);
      return v?.value ?? 0;
    },
    async close() {
      await dp.close();
      await plugins.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
