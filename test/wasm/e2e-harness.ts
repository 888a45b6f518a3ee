// End-to-end harness for Wasm plugins: the real data plane in-process with the PluginManager as its filter chain builder, real upstreams, a keep-alive client.
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { parseSnapshot, type Snapshot } from '../../api/snapshot/index.js';
import { Logging } from '../../lib/log.js';
import { createDataPlane, type DataPlaneImpl } from '../../proxy/data-plane-impl.js';
import { PluginManager, type PluginManagerOptions } from '../../proxy/wasm/index.js';
import { buildFilter, bundledSdk, weftRoot } from '../../sdk/testing/build.js';

/** Log lines of the proxy, as parsed JSON. */
export class Logs extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    for (const l of chunk.toString().split('\n')) if (l.trim()) this.lines.push(JSON.parse(l) as Record<string, unknown>);
    cb();
  }
}

/** A folder for the test's modules; removed by `cleanup()`. */
export class ModuleDir {
  readonly path = mkdtempSync(join(tmpdir(), 'weft-e2e-'));
  write(name: string, bytes: Uint8Array, sourceMap?: string): string {
    const file = join(this.path, name);
    writeFileSync(file, bytes);
    if (sourceMap !== undefined) writeFileSync(`${file}.map`, sourceMap);
    return file;
  }
  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Builds test/wasm/assembly/e2e.ts (Weft's SDK, debug build with a source map) into `dir`. */
export async function buildE2eFilter(dir: ModuleDir): Promise<string> {
  const { wasm, sourceMap } = await buildFilter(join(weftRoot, 'test', 'wasm', 'assembly'), { target: 'debug', entries: ['e2e.ts'] });
  return dir.write('e2e.wasm', wasm, sourceMap);
}

/** Builds an example filter of the SDK (sdk/examples/<name>) into `dir`. */
export async function buildSdkExample(dir: ModuleDir, name: string): Promise<string> {
  const { wasm, sourceMap } = await buildFilter(join(bundledSdk, 'examples', name), { target: 'debug' });
  return dir.write(`${name}.wasm`, wasm, sourceMap);
}

export function parse(yaml: string): Snapshot {
  const r = parseSnapshot(yaml, { file: 'e2e.yaml' });
  if (!r.ok) throw new Error(`invalid test Snapshot:\n${r.error.map((e) => `${e.path}: ${e.message}`).join('\n')}\n${yaml}`);
  return r.value;
}

export interface WasmProxy {
  readonly dp: DataPlaneImpl;
  readonly plugins: PluginManager;
  readonly registry: Registry;
  readonly logs: Logs;
  /** Port of listener `name` (default "main"). */
  port(name?: string): number;
  apply(yaml: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the data plane with a PluginManager building its filter chains, and applies `yaml`. */
export async function startWasmProxy(yaml: string, options: Partial<PluginManagerOptions> = {}): Promise<WasmProxy> {
  const logs = new Logs();
  const registry = new Registry();
  const logging = new Logging({ level: 'info', destination: logs });
  let dp: DataPlaneImpl | undefined;
  const plugins = new PluginManager({ logging, registry, clusters: () => dp?.clusters(), backoff: { initialMs: 100, maxMs: 400 }, ...options });
  dp = createDataPlane({ logging, metrics: registry, filterChains: plugins });
  try {
    await dp.apply(parse(yaml));
  } catch (e) {
    await dp.close();
    await plugins.close();
    throw e;
  }
  const self: WasmProxy = {
    dp,
    plugins,
    registry,
    logs,
    port: (name = 'main') => {
      const a = dp!.addresses().get(name);
      if (!a) throw new Error(`no listener ${name}`);
      return a.port;
    },
    apply: async (y) => {
      await dp!.apply(parse(y));
    },
    close: async () => {
      await dp!.close();
      await plugins.close();
    },
  };
  return self;
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/**
 * An HTTP/1.1 upstream on 127.0.0.1: records what it receives; `answer` writes the response
 * (default: 200 text/plain "hello from upstream", echoing nothing).
 */
export async function startUpstream(answer?: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ port: number; seen: SeenRequest[]; close: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (answer) answer(req, body, res);
      else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('hello from upstream');
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A keep-alive HTTP/1.1 client to the proxy. */
export class Client {
  readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
  constructor(private readonly port: number) {}

  async send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
    const r = await request(`http://127.0.0.1:${this.port}${path}`, { dispatcher: this.agent, method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body });
    return { status: r.statusCode, headers: r.headers, body: await r.body.text() };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** A Snapshot with listener "main" (filter chain "edge") routing everything to cluster "app", plus `plugins` and extra clusters. */
export function config(appPort: number, plugins: string, extra: { clusters?: string; listeners?: string } = {}): string {
  return `
listeners:
  - name: main
    address: 127.0.0.1:0
    http: { route_table: rt, filter_chain: edge }
${extra.listeners ?? ''}
route_tables:
  - name: rt
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - forward: { cluster: app, timeout: 10s }
clusters:
  - name: app
    endpoints: [{ address: 127.0.0.1:${appPort} }]
${extra.clusters ?? ''}
plugins:
${plugins}
`;
}

