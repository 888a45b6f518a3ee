// The HTTP/1.1 pool as other callers (Wasm callouts) use it: failures are reported later through the handler, never thrown.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { parseSnapshot, type ClusterConfig } from '../../api/snapshot/index.js';
import { Logging } from '../../lib/log.js';
import { HeaderMap } from '../http/header-map.js';
import { ProxyMetrics } from '../stats/proxy-metrics.js';
import { tcpConnector } from './connector.js';
import { createHttp1Pool } from './pool-http1.js';
import type { UpstreamFailure, UpstreamResponseHandler } from './types.js';

function cluster(endpoints: string): ClusterConfig {
  const r = parseSnapshot(`clusters:\n  - name: c\n    endpoints: ${endpoints}\n`);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.clusters[0]!;
}

function pool(config: ClusterConfig) {
  return createHttp1Pool(config, { logger: new Logging({ level: 'silent' }).logger('upstream'), metrics: new ProxyMetrics(new Registry()).cluster('c'), connector: tcpConnector });
}

class Recorder implements UpstreamResponseHandler {
  events: string[] = [];
  error: { failure: UpstreamFailure; message: string } | undefined;
  body = '';
  done: Promise<void>;
  private resolve!: () => void;
  constructor() {
    this.done = new Promise((r) => (this.resolve = r));
  }
  onHeaders(h: HeaderMap, end: boolean): void {
    this.events.push(`headers ${h.get(':status')}`);
    if (end) this.resolve();
  }
  onData(chunk: Buffer, end: boolean): void {
    this.body += chunk.toString();
    if (end) this.resolve();
  }
  onTrailers(): void {
    this.resolve();
  }
  onError(failure: UpstreamFailure, message: string): void {
    this.error = { failure, message };
    this.resolve();
  }
}

const head = (path = '/') => new HeaderMap([':method', 'GET', ':scheme', 'http', ':authority', 'x', ':path', path]);

describe('HTTP/1.1 pool', () => {
  test('failures come through onError after newRequest returned', async () => {
    const p = pool(cluster('[]'));
    const r = new Recorder();
    p.newRequest(head(), true, r, { timeoutMs: 0 });
    const synchronous = r.error;
    await r.done;
    assert.equal(synchronous, undefined, 'not from inside newRequest');
    assert.equal(r.error?.failure, 'no_healthy_endpoint');
    p.close();
  });

  test('a head that cannot be written is refused before any connection', async () => {
    let connections = 0;
    const server = createServer(() => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const p = pool(cluster(`[{ address: 127.0.0.1:${(server.address() as AddressInfo).port} }]`));
    const r = new Recorder();
    p.newRequest(head('/a\r\nX: y'), true, r, { timeoutMs: 0 });
    await r.done;
    assert.equal(r.error?.failure, 'protocol_error');
    assert.match(r.error!.message, /invalid :path/);
    assert.equal(p.connectionCount, 0);
    assert.equal(connections, 0);
    p.close();
    server.close();
  });

  test('a request reset before its connection is ready sends nothing and reports nothing', async () => {
    const received: Buffer[] = [];
    const sockets: Socket[] = [];
    const server = createServer((s) => {
      sockets.push(s);
      s.on('data', (d: Buffer) => received.push(d));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const p = pool(cluster(`[{ address: 127.0.0.1:${(server.address() as AddressInfo).port} }]`));
    const r = new Recorder();
    const req = p.newRequest(head(), true, r, { timeoutMs: 0 });
    req.reset();
    const ok = new Recorder();
    p.newRequest(head('/second'), true, ok, { timeoutMs: 0 });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (Buffer.concat(received).includes('\r\n\r\n')) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    const text = Buffer.concat(received).toString();
    assert.ok(!text.includes('GET / HTTP'), text);
    assert.match(text, /^GET \/second HTTP\/1\.1\r\n/);
    assert.deepEqual(r.events, []);
    assert.equal(r.error, undefined);
    for (const s of sockets) s.destroy();
    p.close();
    server.close();
  });
});
