// The HTTP/1.1 upstream pool: idle timeout, the connection cap with queueing, load balancing across endpoints.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { client, respondWith, simpleConfig, startHttpUpstream, startProxy, startRawUpstream, until } from './harness.js';

const H = 'Host: example.test\r\n';

describe('upstream pool', () => {
  test('idle upstream connections are closed after the cluster idle_timeout', async () => {
    const up = await startRawUpstream(respondWith('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    const proxy = await startProxy(simpleConfig(up.port, { cluster: 'idle_timeout: 200ms' }));
    try {
      const c = await client(proxy.port);
      c.send(`GET / HTTP/1.1\r\n${H}\r\n`);
      assert.equal((await c.reader.read()).status, 200);
      assert.equal(up.sockets.size, 1);
      await until(() => up.sockets.size === 0, 5000, 'the idle upstream connection to close');
      c.send(`GET / HTTP/1.1\r\n${H}\r\n`);
      assert.equal((await c.reader.read()).status, 200);
      assert.equal(up.connections, 2);
      c.close();
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('with max_connections_per_endpoint 1, concurrent requests wait and share the one connection', async () => {
    const up = await startHttpUpstream((req, res) => setTimeout(() => res.end(req.url), 5));
    const proxy = await startProxy(simpleConfig(up.port, { cluster: 'max_connections_per_endpoint: 1' }));
    try {
      const clients = await Promise.all(Array.from({ length: 5 }, () => client(proxy.port)));
      clients.forEach((c, i) => c.send(`GET /${i} HTTP/1.1\r\n${H}\r\n`));
      const bodies = await Promise.all(clients.map(async (c) => (await c.reader.read()).body.toString()));
      assert.deepEqual(bodies, ['/0', '/1', '/2', '/3', '/4']);
      assert.equal(up.connections, 1);
      assert.equal(new Set(up.requests.map((r) => r.socketId)).size, 1);
      for (const c of clients) c.close();
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('round robin across weighted endpoints', async () => {
    const a = await startHttpUpstream((_req, res) => res.end('a'));
    const b = await startHttpUpstream((_req, res) => res.end('b'));
    const config = simpleConfig(a.port).replace(
      `endpoints: [{ address: 127.0.0.1:${a.port} }]`,
      `endpoints: [{ address: 127.0.0.1:${a.port}, weight: 1 }, { address: 127.0.0.1:${b.port}, weight: 3 }]`,
    );
    const proxy = await startProxy(config);
    try {
      const c = await client(proxy.port);
      const seen: Record<string, number> = { a: 0, b: 0 };
      for (let i = 0; i < 40; i++) {
        c.send(`GET / HTTP/1.1\r\n${H}\r\n`);
        seen[(await c.reader.read()).body.toString()]!++;
      }
      c.close();
      assert.deepEqual(seen, { a: 10, b: 30 });
    } finally {
      await proxy.close();
      await a.close();
      await b.close();
    }
  });
});
