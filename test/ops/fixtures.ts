// Fixtures of the operations tests: temp config folders, a test upstream that can hold responses, admin helpers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WeftProcess } from './weft-process.js';

type After = { after: (fn: () => unknown) => void };

export function tempDir(t: After, prefix = 'weft-ops-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Writes a file the way editors do: a temp file renamed over the old one (atomic for readers). */
export function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export interface RouteSpec {
  readonly prefix?: string;
  readonly exact?: string;
  readonly cluster?: string;
  readonly direct?: { status: number; body: string };
}

export interface ConfigSpec {
  readonly clusters?: Record<string, number>;
  readonly routes: readonly RouteSpec[];
  readonly drainTimeout?: string;
  readonly extra?: Record<string, unknown>;
}

/** A weft.yaml (as indented JSON, which is YAML) with one HTTP listener and the admin on port 0. */
export function configText(spec: ConfigSpec): string {
  const routes = spec.routes.map((r) => ({
    match: { path: r.exact !== undefined ? { exact: r.exact } : { prefix: r.prefix ?? '/' } },
    ...(r.direct ? { direct_response: { status: r.direct.status, body: r.direct.body } } : { forward: { cluster: r.cluster } }),
  }));
  const doc = {
    admin: { address: '127.0.0.1:0' },
    listeners: [
      {
        name: 'web',
        address: '127.0.0.1:0',
        http: { route_table: 'main', ...(spec.drainTimeout ? { drain_timeout: spec.drainTimeout } : {}) },
      },
    ],
    route_tables: [{ name: 'main', virtual_hosts: [{ name: 'all', domains: ['*'], routes }] }],
    clusters: Object.entries(spec.clusters ?? {}).map(([name, port]) => ({ name, endpoints: [{ address: `127.0.0.1:${port}` }] })),
    ...spec.extra,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * An upstream on 127.0.0.1:0 answering `{"upstream": name, "path": …}`. With `hold()`, requests
 * wait until `release()`; `waitForHeld(n)` resolves once n requests are waiting.
 */
export class TestUpstream {
  readonly server: Server;
  port = 0;
  received = 0;
  private holding = false;
  private held: (() => void)[] = [];
  private heldWaiters: { n: number; resolve: () => void }[] = [];

  constructor(readonly name: string) {
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 60_000;
  }

  static async start(t: After, name: string): Promise<TestUpstream> {
    const u = new TestUpstream(name);
    await new Promise<void>((r) => u.server.listen(0, '127.0.0.1', r));
    u.port = (u.server.address() as AddressInfo).port;
    t.after(() => u.close());
    return u;
  }

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }

  waitForHeld(n: number): Promise<void> {
    if (this.held.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.heldWaiters.push({ n, resolve }));
  }

  close(): Promise<void> {
    this.release();
    return new Promise((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.received++;
    req.resume();
    const answer = () => {
      const body = JSON.stringify({ upstream: this.name, path: req.url });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    req.on('end', () => {
      if (!this.holding) return answer();
      this.held.push(answer);
      for (const w of [...this.heldWaiters]) {
        if (this.held.length >= w.n) {
          this.heldWaiters.splice(this.heldWaiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  }
}

/** The admin base URL, from the "admin listening" log line. */
export async function adminUrl(weft: WeftProcess): Promise<string> {
  const line = await weft.waitForMsg('admin listening');
  return `http://${line.address as string}`;
}

/** Waits for "weft serving" and returns the admin URL and the base URL of listener "web". */
export async function serving(weft: WeftProcess): Promise<{ admin: string; web: string }> {
  const line = await weft.waitForMsg('weft serving');
  const listeners = line.listeners as Record<string, string>;
  return { admin: `http://${line.admin as string}`, web: `http://${listeners.web}` };
}

export async function getText(url: string, init?: RequestInit): Promise<{ status: number; text: string; headers: Headers }> {
  const r = await fetch(url, init);
  return { status: r.status, text: await r.text(), headers: r.headers };
}
