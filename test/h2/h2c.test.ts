// HTTP/2 through the proxy end to end: h2c prior knowledge to HTTP/1.1 and HTTP/2 upstreams, trailers, flow control, GOAWAY on drain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2, { constants } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { httpConfig } from '../fixtures/mesh-config.js';
import { startHttpUpstream, startProxy, startRawUpstream, until } from '../http1/harness.js';

interface Reply {
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers?: http2.IncomingHttpHeaders;
}

function h2request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer | string, trailers?: http2.OutgoingHttpHeaders): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const endStream = body === undefined && trailers === undefined;
    const req = session.request(headers, { endStream, waitForTrailers: trailers !== undefined });
    if (trailers) req.on('wantTrailers', () => req.sendTrailers(trailers));
    if (!endStream) req.end(body);
    const out: Reply = { headers: {}, body: Buffer.alloc(0) };
    const chunks: Buffer[] = [];
    req.on('response', (h) => (out.headers = h));
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('trailers', (t) => (out.trailers = t));
    req.on('error', reject);
    req.on('end', () => {
      out.body = Buffer.concat(chunks);
      resolve(out);
    });
  });
}

function connect(port: number): http2.ClientHttp2Session {
  const s = http2.connect(`http://127.0.0.1:${port}`);
  s.on('error', () => {});
  return s;
}

/** An HTTP/2 cleartext upstream; `handler` answers each stream (default: echo method, path, body and trailers). */
async function startH2Upstream(handler?: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void) {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  let sessionsTotal = 0;
  server.on('session', () => sessionsTotal++);
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    if (handler) return handler(stream, headers);
    const chunks: Buffer[] = [];
    let trailers: http2.IncomingHttpHeaders | undefined;
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'x-method': String(headers[':method']), 'x-path': String(headers[':path']), 'x-authority': String(headers[':authority']), 'x-xfp': String(headers['x-forwarded-proto']) }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers ? { 'x-echo-trailer': String(trailers['x-req-trailer']) } : {}));
      stream.end(Buffer.concat(chunks));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    sessionsTotal: () => sessionsTotal,
    async close() {
      for (const s of sessions) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test('h2c prior knowledge to an HTTP/1.1 upstream', async () => {
  const up = await startHttpUpstream((req, res, seen) => {
    // Connection-specific headers from an HTTP/1 upstream must not reach an HTTP/2 client.
    res.setHeader('connection', 'keep-alive');
    res.setHeader('keep-alive', 'timeout=5');
    res.setHeader('content-type', 'text/plain');
    res.end(`${seen.method} ${seen.url} ${seen.body.length} host=${seen.headers.host} xfp=${seen.headers['x-forwarded-proto']}`);
  });
  const proxy = await startProxy(httpConfig(up.port));
  const session = connect(proxy.port);
  try {
    const a = await h2request(session, { ':path': '/hello?x=1', ':authority': 'app.local' });
    assert.equal(a.headers[':status'], 200);
    assert.equal(a.body.toString(), 'GET /hello?x=1 0 host=app.local xfp=http');
    const b = await h2request(session, { ':method': 'POST', ':path': '/upload', ':authority': 'app.local' }, Buffer.alloc(1 << 20, 7));
    assert.equal(b.body.toString(), `POST /upload ${1 << 20} host=app.local xfp=http`);
    const framing = up.requests[1]!.headers;
    assert.ok(framing['content-length'] === String(1 << 20) || framing['transfer-encoding'] === 'chunked', 'the HTTP/1.1 upstream got a framed body');
    // Concurrent streams on one connection.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => h2request(session, { ':path': `/c${i}`, ':authority': 'app.local' })));
    many.forEach((r, i) => assert.equal(r.body.toString(), `GET /c${i} 0 host=app.local xfp=http`));
  } finally {
    session.destroy();
    await proxy.close();
    await up.close();
  }
});

test('h2c to an HTTP/2 upstream: bodies and trailers both ways, one upstream connection', async () => {
  const up = await startH2Upstream();
  const proxy = await startProxy(httpConfig(up.port, { cluster: { protocol: 'http2' } }));
  const session = connect(proxy.port);
  try {
    const r = await h2request(session, { ':method': 'POST', ':path': '/echo', ':authority': 'svc' }, 'x'.repeat(200_000), { 'x-req-trailer': 'tv' });
    assert.equal(r.headers[':status'], 200);
    assert.equal(r.headers['x-method'], 'POST');
    assert.equal(r.headers['x-authority'], 'svc');
    assert.equal(r.headers['x-xfp'], 'http');
    assert.equal(r.body.length, 200_000);
    assert.equal(r.trailers?.['x-echo-trailer'], 'tv');
    await Promise.all(Array.from({ length: 30 }, (_, i) => h2request(session, { ':path': `/p${i}`, ':authority': 'svc' })));
    assert.equal(up.sessionsTotal(), 1, 'all streams multiplexed on one upstream connection');
  } finally {
    session.destroy();
    await proxy.close();
    await up.close();
  }
});

test('an HTTP/1.1 client through an HTTP/2 upstream keeps trailers', async () => {
  const up = await startH2Upstream();
  const proxy = await startProxy(httpConfig(up.port, { cluster: { protocol: 'http2' } }));
  try {
    const { rawExchange } = await import('../http1/harness.js');
    const r = await rawExchange(
      proxy.port,
      'POST /t HTTP/1.1\r\nhost: svc\r\ntransfer-encoding: chunked\r\ntrailer: x-req-trailer\r\nconnection: close\r\n\r\n3\r\nabc\r\n0\r\nx-req-trailer: v1\r\n\r\n',
    );
    assert.match(r.text, /^HTTP\/1\.1 200/);
    assert.match(r.text, /\r\n3\r\nabc\r\n0\r\nx-echo-trailer: v1\r\n\r\n$/);
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('local errors reach HTTP/2 clients as HTTP/2 responses', async () => {
  const dead = await startRawUpstream();
  const port = dead.port;
  await dead.close();
  const proxy = await startProxy(httpConfig(port));
  const session = connect(proxy.port);
  try {
    const r = await h2request(session, { ':path': '/', ':authority': 'x' });
    assert.equal(r.headers[':status'], 502);
    assert.equal(r.headers['x-weft-error'], 'upstream_connect_failed');
    assert.equal(JSON.parse(r.body.toString()).error, 'upstream_connect_failed');
  } finally {
    session.destroy();
    await proxy.close();
  }
});

test('a slow HTTP/2 reader holds a fast upstream back (flow control end to end, memory bounded)', async () => {
  let written = 0;
  let blocked = false;
  const total = 256 << 20;
  const up = await startHttpUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
    const chunk = Buffer.alloc(64 << 10, 1);
    const pump = () => {
      while (written < total) {
        written += chunk.length;
        if (!res.write(chunk)) {
          blocked = true;
          res.once('drain', () => {
            blocked = false;
            pump();
          });
          return;
        }
      }
      res.end();
    };
    pump();
  });
  const proxy = await startProxy(httpConfig(up.port));
  const session = http2.connect(`http://127.0.0.1:${proxy.port}`, { settings: { initialWindowSize: 65_535 } });
  session.on('error', () => {});
  try {
    const req = session.request({ ':path': '/big', ':authority': 'x' });
    req.pause();
    await once(req, 'response');
    // Let the upstream run until it has been stuck for a while: with working backpressure it stops
    // after the buffers on the way fill (kernel, proxy, window), far below the 256 MiB body.
    let last = -1;
    let since = Date.now();
    await until(
      () => {
        if (written !== last || !blocked) {
          last = written;
          since = Date.now();
        }
        return Date.now() - since > 500;
      },
      30_000,
      'the upstream to stall',
    );
    assert.ok(written < 48 << 20, `upstream wrote ${written >> 20} MiB while the client read nothing`);
    const heap = process.memoryUsage().arrayBuffers;
    assert.ok(heap < 200 << 20, `buffers held in the process: ${heap >> 20} MiB`);
    let got = 0;
    req.on('data', (d: Buffer) => (got += d.length));
    req.resume();
    await once(req, 'end');
    assert.equal(got, total);
  } finally {
    session.destroy();
    await proxy.close();
    await up.close();
  }
});

test('drain: GOAWAY goes out, requests in flight complete, then the connection closes', async () => {
  const held: ((body: string) => void)[] = [];
  const up = await startHttpUpstream((_req, res) => {
    held.push((body) => res.end(body));
  });
  const proxy = await startProxy(httpConfig(up.port));
  const session = connect(proxy.port);
  try {
    const inFlight = [h2request(session, { ':path': '/a', ':authority': 'x' }), h2request(session, { ':path': '/b', ':authority': 'x' })];
    await until(() => held.length === 2, 10_000, 'both requests at the upstream');
    const goaway = once(session, 'goaway');
    const drained = proxy.dp.drain(10_000);
    const [code] = (await goaway) as [number];
    assert.equal(code, constants.NGHTTP2_NO_ERROR);
    held[0]!('first');
    held[1]!('second');
    const [a, b] = await Promise.all(inFlight);
    assert.equal(a.body.toString(), 'first');
    assert.equal(b.body.toString(), 'second');
    await once(session, 'close');
    await drained;
  } finally {
    session.destroy();
    await proxy.close();
    await up.close();
  }
});
