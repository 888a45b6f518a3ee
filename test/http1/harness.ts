// Test harness for HTTP/1 integration tests: an in-process data plane, recording upstreams, raw-socket clients.
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { parseSnapshot, type Snapshot } from '../../api/snapshot/index.js';
import { Logging } from '../../lib/log.js';
import { emptyFilterChains, type FilterChainBuilder, type PreparedFilterChains } from '../../proxy/config/filter-chains.js';
import { createDataPlane, type DataPlaneImpl, type DataPlaneOptions } from '../../proxy/data-plane-impl.js';
import type { HttpFilterFactory } from '../../proxy/http/filter.js';

/** Parses a Snapshot document or throws with its errors. */
export function snapshot(yaml: string): Snapshot {
  const r = parseSnapshot(yaml, { file: 'test.yaml' });
  if (!r.ok) throw new Error(`invalid test snapshot:\n${r.error.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
  return r.value;
}

/** One listener on 127.0.0.1:0 ("main") routing everything to cluster "up" at `upstreamPort`, plus extra YAML knobs. */
export function simpleConfig(upstreamPort: number, opts: { http?: string; cluster?: string; routes?: string; extra?: string; timeout?: string } = {}): string {
  return `
listeners:
  - name: main
    address: 127.0.0.1:0
    http:
      route_table: rt
${indent(opts.http ?? '', 6)}
route_tables:
  - name: rt
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
${indent(opts.routes ?? '', 10)}
          - name: default
            match: { path: { prefix: / } }
            forward: { cluster: up${opts.timeout ? `, timeout: ${opts.timeout}` : ''} }
clusters:
  - name: up
    endpoints: [{ address: 127.0.0.1:${upstreamPort} }]
${indent(opts.cluster ?? '', 4)}
${opts.extra ?? ''}
`;
}

function indent(s: string, n: number): string {
  return s
    .split('\n')
    .map((l) => (l.trim() ? ' '.repeat(n) + l : l))
    .join('\n');
}

/** Log lines captured from a data plane (JSON objects). */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    for (const l of chunk.toString().split('\n')) if (l.trim()) this.lines.push(JSON.parse(l) as Record<string, unknown>);
    cb();
  }
}

/**
 * A FilterChainBuilder for tests: chain name -> built-in test filter factories (or a function of
 * the prepare count, 1 for the first Snapshot, to tell Snapshots apart).
 */
export function testFilterChains(
  chains: Record<string, HttpFilterFactory[]> | ((generation: number) => Record<string, HttpFilterFactory[]>),
): FilterChainBuilder & { released: number; prepared: number } {
  const b = {
    released: 0,
    prepared: 0,
    async prepare(): Promise<PreparedFilterChains> {
      b.prepared++;
      let released = false;
      const these = typeof chains === 'function' ? chains(b.prepared) : chains;
      return {
        http: (name: string) => these[name] ?? [],
        network: () => [],
        release: () => {
          if (!released) b.released++;
          released = true;
        },
      };
    },
    async close(): Promise<void> {},
  };
  return b;
}

/** Plugin entries that make `filter_chain` references valid in a test Snapshot (the test builder ignores the modules). */
export function pluginsFor(...chains: string[]): string {
  return `plugins:\n${chains.map((c, i) => `  - name: test-plugin-${i}\n    module: { sha256: "${'0'.repeat(64)}" }\n    filter_chains: [${c}]`).join('\n')}`;
}

export interface Proxy {
  readonly dp: DataPlaneImpl;
  readonly port: number;
  readonly registry: Registry;
  readonly logs: LogCapture;
  close(): Promise<void>;
}

export async function startProxy(yaml: string, options: Partial<DataPlaneOptions> = {}): Promise<Proxy> {
  const logs = new LogCapture();
  const registry = new Registry();
  const dp = createDataPlane({
    logging: new Logging({ level: 'debug', destination: logs }),
    metrics: registry,
    filterChains: { prepare: async () => emptyFilterChains, close: async () => {} },
    ...options,
  });
  await dp.apply(snapshot(yaml));
  const port = dp.addresses().get('main')!.port;
  return { dp, port, registry, logs, close: () => dp.close() };
}

/** A raw TCP upstream: counts connections and bytes; `onConnection` decides how to answer. */
export interface RawUpstream {
  readonly port: number;
  connections: number;
  readonly received: Buffer[];
  readonly sockets: Set<Socket>;
  receivedText(): string;
  close(): Promise<void>;
}

export async function startRawUpstream(onConnection: (socket: Socket, up: RawUpstream) => void = () => {}): Promise<RawUpstream> {
  const sockets = new Set<Socket>();
  const received: Buffer[] = [];
  let server: Server;
  const up: RawUpstream = {
    port: 0,
    connections: 0,
    received,
    sockets,
    receivedText: () => Buffer.concat(received).toString('latin1'),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  server = createServer((socket) => {
    up.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => received.push(d));
    onConnection(socket, up);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  (up as { port: number }).port = (server.address() as AddressInfo).port;
  return up;
}

/** Answers each request head (ignores bodies) with `response`; for upstreams that misbehave on purpose. */
export function respondWith(response: string | ((head: string, index: number) => string)): (socket: Socket) => void {
  return (socket) => {
    let pending = '';
    let n = 0;
    socket.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      let i: number;
      while ((i = pending.indexOf('\r\n\r\n')) >= 0) {
        const head = pending.slice(0, i);
        pending = pending.slice(i + 4);
        socket.write(typeof response === 'string' ? response : response(head, n++), 'latin1');
      }
    });
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  httpVersion: string;
  rawHeaders: string[];
  headers: IncomingMessage['headers'];
  body: Buffer;
  trailers: Record<string, string | undefined>;
  socketId: number;
}

/** A well-behaved upstream (node:http) that records every request; `handle` answers (default: 200 "ok"). */
export interface HttpUpstream {
  readonly port: number;
  readonly requests: SeenRequest[];
  readonly server: HttpServer;
  connections: number;
  close(): Promise<void>;
}

export async function startHttpUpstream(handle?: (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void): Promise<HttpUpstream> {
  const requests: SeenRequest[] = [];
  let socketIds = 0;
  const ids = new WeakMap<Socket, number>();
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method!,
        url: req.url!,
        httpVersion: req.httpVersion,
        rawHeaders: req.rawHeaders,
        headers: req.headers,
        body: Buffer.concat(chunks),
        trailers: req.trailers,
        socketId: ids.get(req.socket) ?? -1,
      };
      requests.push(seen);
      if (handle) handle(req, res, seen);
      else {
        res.setHeader('content-type', 'text/plain');
        res.end('ok');
      }
    });
  });
  const up: HttpUpstream = {
    port: 0,
    requests,
    server,
    connections: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  server.on('connection', (s: Socket) => {
    up.connections++;
    ids.set(s, ++socketIds);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  (up as { port: number }).port = (server.address() as AddressInfo).port;
  return up;
}

/** Sends raw bytes and returns everything the server sends until it closes the connection (or `timeoutMs`). */
export async function rawExchange(port: number, data: string | Buffer | (string | Buffer)[], timeoutMs = 5000): Promise<{ text: string; closed: boolean }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  await once(socket, 'connect');
  for (const d of Array.isArray(data) ? data : [data]) socket.write(typeof d === 'string' ? Buffer.from(d, 'latin1') : d);
  const closed = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    socket.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
  socket.destroy();
  return { text: Buffer.concat(chunks).toString('latin1'), closed };
}

export interface ParsedResponse {
  status: number;
  reason: string;
  version: string;
  headers: [string, string][];
  body: Buffer;
  trailers: [string, string][];
  get(name: string): string | undefined;
  all(name: string): string[];
}

/**
 * A small, independent HTTP/1.1 response reader for tests: reads `count` responses from a socket
 * (content-length, chunked with trailers, no-body statuses; `headRequests` marks which answers
 * belong to HEAD requests).
 */
export class ResponseReader {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  ended = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async more(deadline: number): Promise<void> {
    if (this.ended) throw new Error(`connection closed; unread: ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`);
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for a response; have: ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async read(opts: { head?: boolean; timeoutMs?: number } = {}): Promise<ParsedResponse> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    let end: number;
    while ((end = this.buf.indexOf('\r\n\r\n')) < 0) await this.more(deadline);
    const headText = this.buf.subarray(0, end).toString('latin1');
    this.buf = this.buf.subarray(end + 4);
    const [statusLine, ...lines] = headText.split('\r\n');
    const m = /^(HTTP\/1\.[01]) (\d{3}) ?(.*)$/.exec(statusLine!);
    if (!m) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
    const headers = lines.map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()] as [string, string];
    });
    const status = Number(m[2]);
    const get = (n: string) => headers.find(([k]) => k === n)?.[1];
    let body = Buffer.alloc(0);
    const trailers: [string, string][] = [];
    const noBody = opts.head || (status >= 100 && status < 200) || status === 204 || status === 304;
    if (!noBody) {
      const te = get('transfer-encoding');
      const cl = get('content-length');
      if (te !== undefined && /chunked/i.test(te)) {
        const parts: Buffer[] = [];
        for (;;) {
          let e: number;
          while ((e = this.buf.indexOf('\r\n')) < 0) await this.more(deadline);
          const size = parseInt(this.buf.subarray(0, e).toString('latin1'), 16);
          if (size === 0) {
            this.buf = this.buf.subarray(e + 2);
            for (;;) {
              while ((e = this.buf.indexOf('\r\n')) < 0) await this.more(deadline);
              const line = this.buf.subarray(0, e).toString('latin1');
              this.buf = this.buf.subarray(e + 2);
              if (line === '') break;
              const i = line.indexOf(':');
              trailers.push([line.slice(0, i).toLowerCase(), line.slice(i + 1).trim()]);
            }
            break;
          }
          while (this.buf.length < e + 2 + size + 2) await this.more(deadline);
          parts.push(this.buf.subarray(e + 2, e + 2 + size));
          this.buf = this.buf.subarray(e + 2 + size + 2);
        }
        body = Buffer.concat(parts);
      } else if (cl !== undefined) {
        const n = Number(cl);
        while (this.buf.length < n) await this.more(deadline);
        body = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
      } else {
        while (!this.ended) await this.more(deadline).catch(() => undefined);
        body = this.buf;
        this.buf = Buffer.alloc(0);
      }
    }
    return {
      status,
      reason: m[3]!,
      version: m[1]!,
      headers,
      body,
      trailers,
      get,
      all: (n) => headers.filter(([k]) => k === n).map(([, v]) => v),
    };
  }

  /** Resolves true once the peer closed the connection (false after `timeoutMs`). */
  async closed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() >= deadline) return false;
      try {
        await this.more(deadline);
      } catch {
        return this.ended;
      }
    }
    return true;
  }

  get unread(): Buffer {
    return this.buf;
  }
}

/** Opens a client connection with a ResponseReader. */
export async function client(port: number): Promise<{ socket: Socket; reader: ResponseReader; send(data: string | Buffer): void; close(): void }> {
  const socket = connect(port, '127.0.0.1');
  const reader = new ResponseReader(socket);
  await once(socket, 'connect');
  return {
    socket,
    reader,
    send: (d) => socket.write(typeof d === 'string' ? Buffer.from(d, 'latin1') : d),
    close: () => socket.destroy(),
  };
}

/** Parses the first response of a raw exchange's text. */
export function parseFirst(text: string): { status: number; headers: Map<string, string>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end) : text;
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = new Map<string, string>();
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  return { status, headers, body: end >= 0 ? text.slice(end + 4) : '' };
}

/** Reads a Prometheus sample value from the registry text, or undefined. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await registry.metrics();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** Waits until `cond()` holds (polling), or throws after `timeoutMs`. For state that settles asynchronously, not for timing. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
