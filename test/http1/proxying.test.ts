// HTTP/1.1 proxying behaviour: headers both ways, targets, 1xx, keep-alive, pipelining, framing, trailers, bodies.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  client,
  rawExchange,
  respondWith,
  simpleConfig,
  startHttpUpstream,
  startProxy,
  startRawUpstream,
  until,
  type HttpUpstream,
  type Proxy,
} from './harness.js';

const H = 'Host: example.test\r\n';

describe('proxying through a node:http upstream', () => {
  let upstream: HttpUpstream;
  let proxy: Proxy;

  before(async () => {
    upstream = await startHttpUpstream((req, res, seen) => {
      const path = req.url ?? '/';
      if (path.startsWith('/hop')) {
        res.setHeader('Connection', 'x-resp-hop');
        res.setHeader('X-Resp-Hop', '1');
        res.setHeader('Keep-Alive', 'timeout=5');
        res.setHeader('Proxy-Connection', 'keep-alive');
        res.setHeader('Upgrade', 'h2c');
        res.setHeader('X-End-To-End', 'yes');
        res.end('hop');
        return;
      }
      if (path.startsWith('/trailers')) {
        res.setHeader('Trailer', 'x-checksum');
        res.write('part1-');
        res.addTrailers({ 'x-checksum': 'abc123' });
        res.end('part2');
        return;
      }
      if (path.startsWith('/chunked')) {
        res.write('a'.repeat(10));
        setTimeout(() => res.end('b'.repeat(10)), 5);
        return;
      }
      if (path.startsWith('/status/')) {
        res.statusCode = Number(path.slice(8));
        res.setHeader('x-status', String(res.statusCode));
        res.end();
        return;
      }
      if (path.startsWith('/head')) {
        res.setHeader('content-length', '1234');
        res.end();
        return;
      }
      if (path.startsWith('/echo')) {
        res.setHeader('content-type', 'application/octet-stream');
        res.setHeader('x-body-sha256', createHash('sha256').update(seen.body).digest('hex'));
        res.end(seen.body);
        return;
      }
      if (path.startsWith('/slow')) {
        setTimeout(() => res.end(path), 30);
        return;
      }
      if (path.startsWith('/close')) {
        res.setHeader('connection', 'close');
        res.end('closing');
        return;
      }
      res.end(path);
    });
    proxy = await startProxy(simpleConfig(upstream.port));
  });

  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  const last = () => upstream.requests[upstream.requests.length - 1]!;

  test('forwards method, path and query, keeps Host, sets Date and x-forwarded-*', async () => {
    const c = await client(proxy.port);
    c.send(`GET /plain?a=1&b=2 HTTP/1.1\r\n${H}User-Agent: t\r\n\r\n`);
    const res = await c.reader.read();
    c.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), '/plain?a=1&b=2');
    assert.ok(res.get('date'));
    const seen = last();
    assert.equal(seen.method, 'GET');
    assert.equal(seen.headers.host, 'example.test');
    assert.equal(seen.headers['user-agent'], 't');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], 'example.test');
    assert.match(String(seen.headers['x-request-id']), /^[0-9a-f]{16}-[0-9a-f]+$/);
  });

  test('x-forwarded-for is appended to; a valid x-request-id is kept, an invalid one replaced', async () => {
    const c = await client(proxy.port);
    c.send(`GET /xff HTTP/1.1\r\n${H}X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nX-Request-Id: my-id.123\r\n\r\n`);
    await c.reader.read();
    let seen = last();
    assert.equal(seen.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http', 'not trusted without xff_trusted_hops');
    assert.equal(seen.headers['x-request-id'], 'my-id.123');
    c.send(`GET /xff HTTP/1.1\r\n${H}X-Request-Id: bad id with spaces\r\n\r\n`);
    await c.reader.read();
    seen = last();
    const generated = String(seen.headers['x-request-id']);
    assert.match(generated, /^[0-9a-f]{16}-[0-9a-f]+$/);
    c.send(`GET /xff HTTP/1.1\r\n${H}\r\n`);
    await c.reader.read();
    assert.notEqual(last().headers['x-request-id'], generated, 'each request gets its own id');
    c.close();
  });

  test('hop-by-hop request headers, and those named in Connection, are stripped; TE: trailers is kept', async () => {
    const c = await client(proxy.port);
    c.send(
      `GET /strip HTTP/1.1\r\n${H}Connection: keep-alive, X-Custom-Hop, x-other\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n` +
        `Trailer: x-t\r\nX-Custom-Hop: 1\r\nX-Other: 2\r\nX-Kept: 3\r\nTE: trailers\r\nUpgrade: h2c\r\n\r\n`,
    );
    const res = await c.reader.read();
    assert.equal(res.status, 200);
    const seen = last();
    const names = seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const n of ['keep-alive', 'proxy-connection', 'trailer', 'x-custom-hop', 'x-other', 'upgrade']) assert.ok(!names.includes(n), `${n} was forwarded`);
    assert.ok(!seen.rawHeaders.some((v, i) => i % 2 === 0 && v.toLowerCase() === 'connection' && /x-custom-hop/i.test(seen.rawHeaders[i + 1]!)));
    assert.equal(seen.headers['x-kept'], '3');
    assert.equal(seen.headers.te, 'trailers');
    c.send(`GET /strip HTTP/1.1\r\n${H}TE: gzip\r\n\r\n`);
    await c.reader.read();
    assert.equal(last().headers.te, undefined);
    c.close();
  });

  test('hop-by-hop response headers, and those named in Connection, are stripped', async () => {
    const c = await client(proxy.port);
    c.send(`GET /hop HTTP/1.1\r\n${H}\r\n`);
    const res = await c.reader.read();
    c.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'hop');
    const names = res.headers.map(([n]) => n);
    for (const n of ['x-resp-hop', 'keep-alive', 'proxy-connection', 'upgrade']) assert.ok(!names.includes(n), `${n} reached the client`);
    assert.ok(!res.all('connection').some((v) => /x-resp-hop/i.test(v)));
    assert.equal(res.get('x-end-to-end'), 'yes');
  });

  test('absolute-form targets: path and authority come from the target', async () => {
    const c = await client(proxy.port);
    c.send(`GET http://abs.example:8080/abs/p?q=1 HTTP/1.1\r\nHost: ignored.example\r\n\r\n`);
    const res = await c.reader.read();
    assert.equal(res.status, 200);
    assert.equal(last().url, '/abs/p?q=1');
    assert.equal(last().headers.host, 'abs.example:8080');
    c.send(`GET http://abs.example?x=1 HTTP/1.1\r\nHost: abs.example\r\n\r\n`);
    await c.reader.read();
    assert.equal(last().url, '/?x=1');
    c.close();
  });

  test('Expect: 100-continue is passed on and the 100 comes back before the body is sent', async () => {
    const c = await client(proxy.port);
    c.send(`POST /echo HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`);
    const cont = await c.reader.read();
    assert.equal(cont.status, 100);
    c.send('hello');
    const res = await c.reader.read();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'hello');
    assert.equal(last().headers.expect, '100-continue');
    c.close();
  });

  test('keep-alive: one client connection and one upstream connection serve many requests', async () => {
    const before = upstream.connections;
    const c = await client(proxy.port);
    const sockets = new Set<number>();
    for (let i = 0; i < 5; i++) {
      c.send(`GET /ka/${i} HTTP/1.1\r\n${H}\r\n`);
      const res = await c.reader.read();
      assert.equal(res.body.toString(), `/ka/${i}`);
      sockets.add(last().socketId);
    }
    c.close();
    assert.equal(sockets.size, 1);
    assert.ok(upstream.connections - before <= 1);
  });

  test('an upstream "Connection: close" response is passed on and its connection is not reused', async () => {
    const c = await client(proxy.port);
    c.send(`GET /close HTTP/1.1\r\n${H}\r\n`);
    const res = await c.reader.read();
    assert.equal(res.body.toString(), 'closing');
    const closedSocket = last().socketId;
    c.send(`GET /after-close HTTP/1.1\r\n${H}\r\n`);
    await c.reader.read();
    assert.notEqual(last().socketId, closedSocket);
    c.close();
  });

  test('pipelined requests are answered in order, even when the first is slow', async () => {
    const c = await client(proxy.port);
    c.send(`GET /slow/1 HTTP/1.1\r\n${H}\r\nGET /fast/2 HTTP/1.1\r\n${H}\r\nPOST /echo HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nxyzGET /fast/4 HTTP/1.1\r\n${H}\r\n`);
    const bodies = [];
    for (let i = 0; i < 4; i++) bodies.push((await c.reader.read()).body.toString());
    c.close();
    assert.deepEqual(bodies, ['/slow/1', '/fast/2', 'xyz', '/fast/4']);
  });

  test('HEAD: the upstream Content-Length is kept and no body follows; the connection stays usable', async () => {
    const c = await client(proxy.port);
    c.send(`HEAD /head HTTP/1.1\r\n${H}\r\n`);
    const res = await c.reader.read({ head: true });
    assert.equal(res.status, 200);
    assert.equal(res.get('content-length'), '1234');
    c.send(`GET /after-head HTTP/1.1\r\n${H}\r\n`);
    const next = await c.reader.read();
    assert.equal(next.body.toString(), '/after-head');
    c.close();
  });

  for (const status of [204, 304]) {
    test(`${status} has no body and keeps the connection`, async () => {
      const c = await client(proxy.port);
      c.send(`GET /status/${status} HTTP/1.1\r\n${H}\r\n`);
      const res = await c.reader.read();
      assert.equal(res.status, status);
      assert.equal(res.get('x-status'), String(status));
      assert.equal(res.get('transfer-encoding'), undefined);
      c.send(`GET /after HTTP/1.1\r\n${H}\r\n`);
      assert.equal((await c.reader.read()).body.toString(), '/after');
      c.close();
    });
  }

  test('a streamed (chunked) upstream response reaches an HTTP/1.1 client chunked', async () => {
    const c = await client(proxy.port);
    c.send(`GET /chunked HTTP/1.1\r\n${H}\r\n`);
    const res = await c.reader.read();
    c.close();
    assert.equal(res.get('transfer-encoding'), 'chunked');
    assert.equal(res.body.toString(), 'a'.repeat(10) + 'b'.repeat(10));
  });

  test('HTTP/1.0 clients: Content-Length responses keep alive on request; streamed ones are close-delimited', async () => {
    const c = await client(proxy.port);
    c.send(`GET /one HTTP/1.0\r\n${H}Connection: keep-alive\r\n\r\n`);
    const res = await c.reader.read();
    assert.equal(res.version, 'HTTP/1.0');
    assert.equal(res.get('connection'), 'keep-alive');
    assert.equal(res.body.toString(), '/one');
    assert.equal(last().httpVersion, '1.1', 'upstream requests are HTTP/1.1');
    c.send(`GET /chunked HTTP/1.0\r\n${H}Connection: keep-alive\r\n\r\n`);
    const streamed = await c.reader.read();
    assert.equal(streamed.get('transfer-encoding'), undefined);
    assert.equal(streamed.get('connection'), 'close');
    assert.equal(streamed.body.toString(), 'a'.repeat(10) + 'b'.repeat(10));
    assert.ok(await c.reader.closed());
    const plain = await rawExchange(proxy.port, `GET /no-ka HTTP/1.0\r\n\r\n`);
    assert.ok(plain.closed, 'HTTP/1.0 without keep-alive closes');
    assert.match(plain.text, /^HTTP\/1\.0 200 OK\r\n/);
  });

  test('a client "Connection: close" request is answered with Connection: close and the connection ends', async () => {
    const c = await client(proxy.port);
    c.send(`GET /bye HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    const res = await c.reader.read();
    assert.equal(res.get('connection'), 'close');
    assert.ok(await c.reader.closed());
  });

  test('chunked request bodies and request trailers reach the upstream; response trailers reach the client', async () => {
    const c = await client(proxy.port);
    c.send(`POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTrailer: x-req-sum\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Req-Sum: 42\r\n\r\n`);
    const res = await c.reader.read();
    assert.equal(res.body.toString(), 'hello world');
    assert.equal(last().trailers['x-req-sum'], '42');
    c.send(`GET /trailers HTTP/1.1\r\n${H}TE: trailers\r\n\r\n`);
    const t = await c.reader.read();
    assert.equal(t.body.toString(), 'part1-part2');
    assert.deepEqual(t.trailers, [['x-checksum', 'abc123']]);
    c.close();
  });

  test('multi-megabyte bodies arrive intact both ways', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const c = await client(proxy.port);
    c.send(`POST /echo HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\n\r\n`);
    c.send(body);
    const res = await c.reader.read({ timeoutMs: 20_000 });
    c.close();
    assert.equal(res.body.length, body.length);
    assert.equal(res.get('x-body-sha256'), createHash('sha256').update(body).digest('hex'));
    assert.ok(res.body.equals(body));
  });
});

describe('proxying from a raw upstream', () => {
  test('103 Early Hints and other 1xx reach HTTP/1.1 clients before the final response; not HTTP/1.0 clients', async () => {
    const up = await startRawUpstream(
      respondWith('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone'),
    );
    const proxy = await startProxy(simpleConfig(up.port));
    try {
      const c = await client(proxy.port);
      c.send(`GET / HTTP/1.1\r\n${H}\r\n`);
      const hints = await c.reader.read();
      assert.equal(hints.status, 103);
      assert.equal(hints.get('link'), '</style.css>; rel=preload');
      assert.equal((await c.reader.read()).status, 102);
      const final = await c.reader.read();
      assert.equal(final.status, 200);
      assert.equal(final.body.toString(), 'done');
      c.close();
      const old = await rawExchange(proxy.port, `GET / HTTP/1.0\r\n${H}\r\n`);
      assert.match(old.text, /^HTTP\/1\.0 200 OK\r\n/);
      assert.ok(!old.text.includes('103'));
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('a close-delimited upstream response is re-framed for the client and its connection is not reused', async () => {
    const up = await startRawUpstream((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil-close'));
    });
    const proxy = await startProxy(simpleConfig(up.port));
    try {
      const c = await client(proxy.port);
      for (let i = 0; i < 2; i++) {
        c.send(`GET /${i} HTTP/1.1\r\n${H}\r\n`);
        const res = await c.reader.read();
        assert.equal(res.status, 200);
        assert.equal(res.get('transfer-encoding'), 'chunked');
        assert.equal(res.body.toString(), 'until-close');
      }
      c.close();
      assert.equal(up.connections, 2);
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('an early upstream response to an unfinished upload is delivered, then neither connection is reused', async () => {
    const up = await startRawUpstream((socket) => {
      socket.once('data', () => socket.write('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\n\r\nbig'));
    });
    const proxy = await startProxy(simpleConfig(up.port));
    try {
      const c = await client(proxy.port);
      c.send(`POST /upload HTTP/1.1\r\n${H}Content-Length: 1000000\r\n\r\n${'x'.repeat(1000)}`);
      const res = await c.reader.read();
      assert.equal(res.status, 413);
      assert.equal(res.body.toString(), 'big');
      assert.equal(res.get('connection'), 'close');
      assert.ok(await c.reader.closed(), 'the client connection closes: its request body was not read');
      await until(() => up.sockets.size === 0, 5000, 'upstream connection closed');
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  test('CONNECT is forwarded and, after a 2xx, tunnels bytes both ways', async () => {
    const up = await startRawUpstream((socket) => {
      let tunnel = false;
      socket.on('data', (d: Buffer) => {
        if (tunnel) {
          socket.write(Buffer.from(d.toString().toUpperCase()));
          return;
        }
        if (d.toString().includes('\r\n\r\n')) {
          tunnel = true;
          socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        }
      });
    });
    const proxy = await startProxy(simpleConfig(up.port, { routes: '- match: { methods: [CONNECT] }\n  forward: { cluster: up }' }));
    try {
      const c = await client(proxy.port);
      c.send('CONNECT tunnel.example:443 HTTP/1.1\r\nHost: tunnel.example:443\r\n\r\n');
      const res = await c.reader.read({ head: true });
      assert.equal(res.status, 200);
      c.send('ping');
      await until(() => c.reader.unread.toString() === 'PING', 5000, 'tunnelled echo');
      assert.match(up.receivedText(), /^CONNECT tunnel\.example:443 HTTP\/1\.1\r\nhost: tunnel\.example:443\r\n/);
      c.close();
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
