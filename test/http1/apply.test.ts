// DataPlane.apply / drain / close: atomic swaps, in-flight streams on their Snapshot, kept sockets, rejected applies, metrics.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { WeftError } from '../../lib/errors.js';
import type { HttpFilterFactory } from '../../proxy/http/filter.js';
import { FilterAction } from '../../proxy/http/filter.js';
import { client, metricValue, pluginsFor, rawExchange, snapshot, startHttpUpstream, startProxy, testFilterChains, until } from './harness.js';

const H = 'Host: example.test\r\n';

function config(opts: { listenPort?: number; upstreamPort: number; tag?: string; version?: string; extraListener?: string; chain?: boolean }): string {
  return `
${opts.version ? `version: "${opts.version}"` : ''}
listeners:
  - name: main
    address: 127.0.0.1:${opts.listenPort ?? 0}
    http: { route_table: rt${opts.chain ? ', filter_chain: edge' : ''} }
${opts.extraListener ?? ''}
route_tables:
  - name: rt
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { path: { prefix: / } }
            forward: { cluster: up }
            response_headers_to_add: [{ name: x-snapshot, value: "${opts.tag ?? 'one'}" }]
clusters:
  - name: up
    endpoints: [{ address: 127.0.0.1:${opts.upstreamPort} }]
${opts.chain ? pluginsFor('edge') : ''}
`;
}

async function busyPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return { port: (s.address() as AddressInfo).port, close: () => new Promise((r) => s.close(() => r())) };
}

describe('DataPlane apply', () => {
  test('in-flight streams finish on the Snapshot they started with; old filter chains are released after them', async () => {
    let release: (() => void) | undefined;
    const a = await startHttpUpstream((req, res) => {
      if (req.url === '/slow') release = () => res.end('from-a');
      else res.end('a');
    });
    const b = await startHttpUpstream((_req, res) => res.end('b'));
    const tagger = (generation: number): HttpFilterFactory => ({
      name: 'tagger',
      create: () => ({
        onResponseHeaders: (h) => {
          h.set('x-chain-generation', String(generation));
          return FilterAction.Continue;
        },
      }),
    });
    const chains = testFilterChains((generation) => ({ edge: [tagger(generation)] }));
    const proxy = await startProxy(config({ upstreamPort: a.port, chain: true }), { filterChains: chains });
    try {
      const slow = await client(proxy.port);
      slow.send(`GET /slow HTTP/1.1\r\n${H}\r\n`);
      await until(() => release !== undefined, 5000, 'the slow request upstream');
      const result = await proxy.dp.apply(snapshot(config({ listenPort: proxy.port, upstreamPort: b.port, tag: 'two', chain: true })));
      assert.deepEqual(result.listeners, { added: [], removed: [], kept: ['main'] });
      assert.equal(chains.prepared, 2);
      assert.equal(chains.released, 0);
      assert.equal(proxy.dp.liveGenerations, 2);

      const fresh = await client(proxy.port);
      fresh.send(`GET /new HTTP/1.1\r\n${H}\r\n`);
      const r2 = await fresh.reader.read();
      assert.equal(r2.body.toString(), 'b');
      assert.equal(r2.get('x-snapshot'), 'two');
      assert.equal(r2.get('x-chain-generation'), '2');
      fresh.close();

      release!();
      const r1 = await slow.reader.read();
      assert.equal(r1.body.toString(), 'from-a');
      assert.equal(r1.get('x-snapshot'), 'one');
      assert.equal(r1.get('x-chain-generation'), '1', 'the old filter chain ran the old stream');
      assert.equal(chains.released, 1, 'the old chains are released once their last stream ended');
      assert.equal(proxy.dp.liveGenerations, 1);
      // The same client connection: its next stream runs on the new Snapshot.
      slow.send(`GET /again HTTP/1.1\r\n${H}\r\n`);
      const r3 = await slow.reader.read();
      assert.equal(r3.get('x-snapshot'), 'two');
      assert.equal(r3.body.toString(), 'b');
      slow.close();
    } finally {
      await proxy.close();
      await a.close();
      await b.close();
    }
  });

  test('a listener whose address is unchanged keeps its socket and its connections', async () => {
    const up = await startHttpUpstream();
    const proxy = await startProxy(config({ upstreamPort: up.port }));
    try {
      const port = proxy.port;
      const c = await client(port);
      c.send(`GET /1 HTTP/1.1\r\n${H}\r\n`);
      assert.equal((await c.reader.read()).get('x-snapshot'), 'one');
      await proxy.dp.apply(snapshot(config({ listenPort: port, upstreamPort: up.port, tag: 'two' })));
      c.send(`GET /2 HTTP/1.1\r\n${H}\r\n`);
      const res = await c.reader.read();
      assert.equal(res.get('x-snapshot'), 'two');
      assert.equal(proxy.dp.addresses().get('main')!.port, port);
      assert.equal(up.connections, 1, 'the unchanged cluster kept its pool');
      c.close();
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('a changed cluster gets a new pool; the old one closes when no Snapshot uses it', async () => {
    const up = await startHttpUpstream();
    const proxy = await startProxy(config({ upstreamPort: up.port }));
    try {
      const c = await client(proxy.port);
      c.send(`GET /1 HTTP/1.1\r\n${H}\r\n`);
      await c.reader.read();
      assert.equal(up.connections, 1);
      const changed = config({ listenPort: proxy.port, upstreamPort: up.port }).replace('endpoints:', 'idle_timeout: 10s\n    endpoints:');
      await proxy.dp.apply(snapshot(changed));
      c.send(`GET /2 HTTP/1.1\r\n${H}\r\n`);
      await c.reader.read();
      assert.equal(up.connections, 2);
      assert.equal(await metricValue(proxy.registry, 'weft_upstream_connections_active', { cluster: 'up' }), 1);
      c.close();
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('a failed apply (port in use) changes nothing and is counted as rejected', async () => {
    const up = await startHttpUpstream();
    const busy = await busyPort();
    const chains = testFilterChains({});
    const proxy = await startProxy(config({ upstreamPort: up.port, version: 'v1' }), { filterChains: chains });
    try {
      const bad = config({
        listenPort: proxy.port,
        upstreamPort: up.port,
        tag: 'two',
        version: 'v2',
        extraListener: `  - name: clash\n    address: 127.0.0.1:${busy.port}\n    http: { route_table: rt }`,
      });
      await assert.rejects(proxy.dp.apply(snapshot(bad)), (e: unknown) => e instanceof WeftError && e.code === 'listener_bind_failed' && /EADDRINUSE/.test(e.message));
      assert.equal(proxy.dp.snapshot!.version, 'v1');
      assert.equal(chains.prepared, 2);
      assert.equal(chains.released, 1, 'the rejected Snapshot released what it prepared');
      assert.equal(await metricValue(proxy.registry, 'weft_config_applies_total', { result: 'rejected' }), 1);
      assert.equal(await metricValue(proxy.registry, 'weft_config_version_info', { version: 'v1' }), 1);
      assert.deepEqual([...proxy.dp.addresses().keys()], ['main']);
      const { text } = await rawExchange(proxy.port, `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
      assert.match(text, /x-snapshot: one/);
    } finally {
      await proxy.close();
      await busy.close();
      await up.close();
    }
  });

  test('a Snapshot whose filter chains fail to prepare is rejected; the previous one keeps serving', async () => {
    const up = await startHttpUpstream();
    let fail = false;
    const proxy = await startProxy(config({ upstreamPort: up.port, version: 'v1' }), {
      filterChains: {
        prepare: async () => {
          if (fail) throw new WeftError('plugin_compile_failed', 'module does not compile');
          return { http: () => [], network: () => [], release: () => {} };
        },
        close: async () => {},
      },
    });
    try {
      fail = true;
      await assert.rejects(proxy.dp.apply(snapshot(config({ listenPort: proxy.port, upstreamPort: up.port, version: 'v2' }))), /module does not compile/);
      assert.equal(proxy.dp.snapshot!.version, 'v1');
      assert.equal(await metricValue(proxy.registry, 'weft_config_version_info', { version: 'v1' }), 1);
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('listeners added and removed; a removed listener stops accepting', async () => {
    const up = await startHttpUpstream();
    const proxy = await startProxy(config({ upstreamPort: up.port }));
    try {
      const second = `  - name: second\n    address: 127.0.0.1:0\n    http: { route_table: rt }`;
      const r = await proxy.dp.apply(snapshot(config({ listenPort: proxy.port, upstreamPort: up.port, extraListener: second })));
      assert.deepEqual(r.listeners, { added: ['second'], removed: [], kept: ['main'] });
      const secondPort = proxy.dp.addresses().get('second')!.port;
      assert.match((await rawExchange(secondPort, `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`)).text, /^HTTP\/1\.1 200/);
      const r2 = await proxy.dp.apply(snapshot(config({ listenPort: proxy.port, upstreamPort: up.port })));
      assert.deepEqual(r2.listeners, { added: [], removed: ['second'], kept: ['main'] });
      await assert.rejects(rawExchange(secondPort, `GET / HTTP/1.1\r\n${H}\r\n`, 1000), /ECONNREFUSED/, 'the removed listener stopped accepting');
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('metrics: requests by route and class, connections, upstream latency, config version', async () => {
    const up = await startHttpUpstream();
    const proxy = await startProxy(config({ upstreamPort: up.port, version: 'metrics-v1' }));
    try {
      const c = await client(proxy.port);
      for (let i = 0; i < 3; i++) {
        c.send(`GET /${i} HTTP/1.1\r\n${H}\r\n`);
        await c.reader.read();
      }
      assert.equal(await metricValue(proxy.registry, 'weft_downstream_connections_active', { listener: 'main' }), 1);
      c.close();
      await until(async () => (await metricValue(proxy.registry, 'weft_downstream_connections_active', { listener: 'main' })) === 0, 5000, 'connection gauge');
      assert.equal(await metricValue(proxy.registry, 'weft_downstream_connections_total', { listener: 'main' }), 1);
      assert.equal(await metricValue(proxy.registry, 'weft_http_requests_total', { listener: 'main', route: 'all/0', cluster: 'up', code_class: '2xx' }), 3);
      assert.equal(await metricValue(proxy.registry, 'weft_http_upstream_duration_seconds_count', { cluster: 'up' }), 3);
      assert.equal(await metricValue(proxy.registry, 'weft_upstream_connections_active', { cluster: 'up' }), 1);
      assert.equal(await metricValue(proxy.registry, 'weft_config_version_info', { version: 'metrics-v1' }), 1);
      assert.equal(await metricValue(proxy.registry, 'weft_config_applies_total', { result: 'ok' }), 1);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});

describe('DataPlane drain and close', () => {
  test('close() during an apply: the apply is rejected and opens nothing', async () => {
    const up = await startHttpUpstream();
    let release: (() => void) | undefined;
    const slow = new Promise<void>((r) => (release = r));
    let calls = 0;
    const proxy = await startProxy(config({ upstreamPort: up.port }), {
      filterChains: {
        prepare: async () => {
          if (++calls === 2) await slow;
          return { http: () => [], network: () => [], release: () => {} };
        },
        close: async () => {},
      },
    });
    try {
      const second = `  - name: second\n    address: 127.0.0.1:0\n    http: { route_table: rt }`;
      const applying = proxy.dp.apply(snapshot(config({ listenPort: proxy.port, upstreamPort: up.port, extraListener: second })));
      await until(() => calls === 2, 5000, 'the second prepare');
      const closing = proxy.dp.close();
      release!();
      await assert.rejects(applying, /stopped/);
      await closing;
      assert.deepEqual([...proxy.dp.addresses().keys()], ['main']);
      await assert.rejects(rawExchange(proxy.port, `GET / HTTP/1.1\r\n${H}\r\n`, 1000), /ECONNREFUSED/);
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('drain finishes the in-flight request with Connection: close, closes idle connections, refuses new ones', async () => {
    let release: (() => void) | undefined;
    const up = await startHttpUpstream((req, res) => {
      if (req.url === '/slow') release = () => res.end('slow-done');
      else res.end('ok');
    });
    const proxy = await startProxy(config({ upstreamPort: up.port }));
    try {
      const idle = await client(proxy.port);
      idle.send(`GET /warm HTTP/1.1\r\n${H}\r\n`);
      await idle.reader.read();
      const busy = await client(proxy.port);
      busy.send(`GET /slow HTTP/1.1\r\n${H}\r\n`);
      await until(() => release !== undefined, 5000, 'the slow request upstream');
      const drained = proxy.dp.drain(10_000);
      assert.ok(await idle.reader.closed(), 'the idle keep-alive connection is closed');
      await assert.rejects(rawExchange(proxy.port, `GET / HTTP/1.1\r\n${H}\r\n`, 2000), /ECONNREFUSED/, 'no new connections');
      release!();
      const res = await busy.reader.read();
      assert.equal(res.body.toString(), 'slow-done');
      assert.equal(res.get('connection'), 'close');
      assert.ok(await busy.reader.closed());
      await drained;
      assert.equal(proxy.dp.draining, true);
      await assert.rejects(proxy.dp.apply(snapshot(config({ upstreamPort: up.port }))), /draining/);
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('drain closes what is still running when the timeout passes', async () => {
    const up = await startHttpUpstream(() => {});
    const proxy = await startProxy(config({ upstreamPort: up.port }));
    try {
      const c = await client(proxy.port);
      c.send(`GET /hang HTTP/1.1\r\n${H}\r\n`);
      await until(() => up.requests.length === 1, 5000, 'the request upstream');
      await proxy.dp.drain(100);
      assert.ok(await c.reader.closed());
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
