// Local errors (each code, status, JSON body, x-weft-error) and bad upstream responses (502, connection never reused).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { client, metricValue, parseFirst, rawExchange, respondWith, simpleConfig, startProxy, startRawUpstream, until } from './harness.js';

const H = 'Host: example.test\r\n';

async function expectError(port: number, request: string, status: number, code: string): Promise<{ message: string }> {
  const c = await client(port);
  c.send(request);
  const res = await c.reader.read();
  c.close();
  assert.equal(res.status, status, `body: ${res.body.toString()}`);
  assert.equal(res.get('x-weft-error'), code);
  assert.equal(res.get('content-type'), 'application/json');
  const body = JSON.parse(res.body.toString()) as { error: string; message: string };
  assert.equal(body.error, code);
  assert.ok(body.message.length > 0);
  return body;
}

/** A port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('local errors', () => {
  test('404 route_not_found, counted under route ""', async () => {
    const up = await startRawUpstream(respondWith('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    const proxy = await startProxy(`
listeners:
  - name: main
    address: 127.0.0.1:0
    http: { route_table: rt }
route_tables:
  - name: rt
    virtual_hosts:
      - name: only
        domains: ["only.example"]
        routes:
          - match: { path: { prefix: /api } }
            forward: { cluster: up }
clusters:
  - name: up
    endpoints: [{ address: 127.0.0.1:${up.port} }]
`);
    try {
      const body = await expectError(proxy.port, `GET /other HTTP/1.1\r\n${H}\r\n`, 404, 'route_not_found');
      assert.match(body.message, /example\.test\/other/);
      await expectError(proxy.port, `GET /web HTTP/1.1\r\nHost: only.example\r\n\r\n`, 404, 'route_not_found');
      assert.equal(await metricValue(proxy.registry, 'weft_http_requests_total', { listener: 'main', route: '', code_class: '4xx' }), 2);
      assert.equal(up.connections, 0);
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('502 upstream_connect_failed when nothing listens', async () => {
    const proxy = await startProxy(simpleConfig(await deadPort()));
    try {
      const body = await expectError(proxy.port, `GET / HTTP/1.1\r\n${H}\r\n`, 502, 'upstream_connect_failed');
      assert.match(body.message, /ECONNREFUSED|connect/);
      assert.equal(await metricValue(proxy.registry, 'weft_http_requests_total', { route: 'default', cluster: 'up', code_class: '5xx' }), 1);
    } finally {
      await proxy.close();
    }
  });

  test('502 upstream_connect_failed when the connect does not complete (TEST-NET address, 50 ms connect timeout)', async () => {
    // Offline, 192.0.2.1 either never answers (connect timeout) or is unreachable at once: both are connect failures.
    const config = simpleConfig(9, { cluster: 'connect_timeout: 50ms' }).replace('address: 127.0.0.1:9 }', 'address: 192.0.2.1:9 }');
    const proxy = await startProxy(config);
    try {
      await expectError(proxy.port, `GET / HTTP/1.1\r\n${H}\r\n`, 502, 'upstream_connect_failed');
    } finally {
      await proxy.close();
    }
  });

  test('502 upstream_reset when the upstream drops the connection mid-request', async () => {
    const up = await startRawUpstream((socket) => socket.once('data', () => socket.destroy()));
    const proxy = await startProxy(simpleConfig(up.port));
    try {
      await expectError(proxy.port, `GET / HTTP/1.1\r\n${H}\r\n`, 502, 'upstream_reset');
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('an upstream reset after the response head started resets the client connection', async () => {
    const up = await startRawUpstream((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
        setTimeout(() => socket.destroy(), 20);
      }),
    );
    const proxy = await startProxy(simpleConfig(up.port));
    try {
      const { text, closed } = await rawExchange(proxy.port, `GET / HTTP/1.1\r\n${H}\r\n`);
      assert.ok(closed);
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.ok(text.endsWith('partial'));
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('503 no_healthy_endpoint for a cluster without endpoints', async () => {
    const proxy = await startProxy(simpleConfig(1).replace(/endpoints: \[\{ address: 127\.0\.0\.1:1 \}\]/, 'endpoints: []'));
    try {
      await expectError(proxy.port, `GET / HTTP/1.1\r\n${H}\r\n`, 503, 'no_healthy_endpoint');
    } finally {
      await proxy.close();
    }
  });

  test('503 upstream_overflow when connections and the wait queue are full', async () => {
    const held: import('node:net').Socket[] = [];
    const up = await startRawUpstream((socket) => held.push(socket));
    const proxy = await startProxy(simpleConfig(up.port, { cluster: 'max_connections_per_endpoint: 1' }));
    const clients = [];
    try {
      // One request holds the only connection; 1024 wait; the next overflows.
      for (let i = 0; i < 1025; i++) {
        const c = await client(proxy.port);
        c.send(`GET /${i} HTTP/1.1\r\n${H}\r\n`);
        clients.push(c);
      }
      await until(() => up.connections === 1 && up.received.length > 0, 5000, 'the first request upstream');
      const body = await expectError(proxy.port, `GET /overflow HTTP/1.1\r\n${H}\r\n`, 503, 'upstream_overflow');
      assert.match(body.message, /1 connections busy and 1024 requests queued/);
      assert.equal(up.connections, 1);
    } finally {
      for (const c of clients) c.close();
      await proxy.close();
      await up.close();
    }
  });

  test('504 upstream_timeout when the route timeout passes; the upstream connection is closed', async () => {
    const up = await startRawUpstream(() => {});
    const proxy = await startProxy(simpleConfig(up.port, { timeout: '150ms' }));
    try {
      const body = await expectError(proxy.port, `GET / HTTP/1.1\r\n${H}\r\n`, 504, 'upstream_timeout');
      assert.match(body.message, /150 ms/);
      await until(() => up.sockets.size === 0, 5000, 'the timed-out upstream connection to close');
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('408 request_timeout when the head does not arrive within headers_timeout', async () => {
    const proxy = await startProxy(simpleConfig(1, { http: 'headers_timeout: 200ms' }));
    try {
      const { text, closed } = await rawExchange(proxy.port, `GET / HTTP/1.1\r\n${H}X-Slow: `);
      const res = parseFirst(text);
      assert.equal(res.status, 408);
      assert.equal(res.headers.get('x-weft-error'), 'request_timeout');
      assert.ok(closed);
    } finally {
      await proxy.close();
    }
  });

  test('408 request_timeout when the body does not arrive within request_timeout; the upstream request is reset', async () => {
    const up = await startRawUpstream(() => {});
    const proxy = await startProxy(simpleConfig(up.port, { http: 'request_timeout: 300ms' }));
    try {
      const { text, closed } = await rawExchange(proxy.port, `POST / HTTP/1.1\r\n${H}Content-Length: 100\r\n\r\nonly-part`);
      assert.equal(parseFirst(text).status, 408);
      assert.ok(closed);
      await until(() => up.sockets.size === 0, 5000, 'upstream connection closed');
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('idle keep-alive connections are closed after idle_timeout', async () => {
    const up = await startRawUpstream(respondWith('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    const proxy = await startProxy(simpleConfig(up.port, { http: 'idle_timeout: 200ms' }));
    try {
      const c = await client(proxy.port);
      c.send(`GET / HTTP/1.1\r\n${H}\r\n`);
      assert.equal((await c.reader.read()).status, 200);
      assert.ok(await c.reader.closed(5000));
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});

describe('bad upstream responses: 502 upstream_protocol_error, and the connection is never reused', () => {
  const BAD: [string, string][] = [
    ['Content-Length with Transfer-Encoding', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['Transfer-Encoding with Content-Length', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n'],
    ['duplicate Content-Length, equal', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok'],
    ['duplicate Content-Length, different', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!'],
    ['invalid Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nok'],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
    ['chunk size overflow', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n'],
    ['not HTTP at all', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['bad status code', 'HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n'],
    ['NUL in a header value', 'HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n'],
    ['header block too large', `HTTP/1.1 200 OK\r\nX-A: ${'a'.repeat(100 * 1024)}\r\nContent-Length: 0\r\n\r\n`],
    ['101 without an upgrade request', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n'],
  ];

  for (const [name, response] of BAD) {
    test(name, async () => {
      let n = 0;
      const up = await startRawUpstream(respondWith(() => (n++ === 0 ? response : 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood')));
      const proxy = await startProxy(simpleConfig(up.port));
      try {
        await expectError(proxy.port, `GET /bad HTTP/1.1\r\n${H}\r\n`, 502, 'upstream_protocol_error');
        const c = await client(proxy.port);
        c.send(`GET /next HTTP/1.1\r\n${H}\r\n`);
        const res = await c.reader.read();
        c.close();
        assert.equal(res.status, 200);
        assert.equal(res.body.toString(), 'good');
        assert.equal(up.connections, 2, 'the bad connection was not reused');
      } finally {
        await proxy.close();
        await up.close();
      }
    });
  }

  test('bytes after a complete response close that connection', async () => {
    const up = await startRawUpstream(respondWith('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'));
    const proxy = await startProxy(simpleConfig(up.port));
    try {
      for (let i = 0; i < 2; i++) {
        const c = await client(proxy.port);
        c.send(`GET / HTTP/1.1\r\n${H}\r\n`);
        assert.equal((await c.reader.read()).body.toString(), 'ok');
        c.close();
        await until(() => up.sockets.size === 0, 5000, 'the upstream connection to close');
      }
      assert.equal(up.connections, 2);
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('a GET on a reused connection that the upstream closes before answering is retried once', async () => {
    let conns = 0;
    const up = await startRawUpstream((socket) => {
      const id = conns++;
      let n = 0;
      socket.on('data', () => {
        if (id === 0 && n++ === 1) socket.destroy();
        else socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${id === 0 ? 'a' : 'b'}`);
      });
    });
    const proxy = await startProxy(simpleConfig(up.port));
    try {
      const c = await client(proxy.port);
      c.send(`GET /1 HTTP/1.1\r\n${H}\r\n`);
      assert.equal((await c.reader.read()).body.toString(), 'a');
      c.send(`GET /2 HTTP/1.1\r\n${H}\r\n`);
      const res = await c.reader.read();
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'b');
      assert.equal(up.connections, 2);
      c.send(`POST /3 HTTP/1.1\r\n${H}Content-Length: 1\r\n\r\nx`);
      assert.equal((await c.reader.read()).status, 200);
      c.close();
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
