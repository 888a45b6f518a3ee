// Unit tests of the HTTP/2 upstream pool against real node:http2 servers on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2, { constants } from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { HeaderMap } from '../http/header-map.js';
import { onRemoteEnd } from '../http/h2-stream-end.js';
import { tcpConnector } from './connector.js';
import { Http2EndpointPool, type Http2EndpointPoolOptions } from './pool-h2-endpoint.js';
import type { UpstreamFailure, UpstreamRequest, UpstreamResponseHandler } from './types.js';

interface Result {
  headers?: HeaderMap;
  informational: HeaderMap[];
  body: Buffer;
  trailers?: HeaderMap;
  error?: { failure: UpstreamFailure; message: string; responseStarted: boolean };
  address?: string;
}

/** Collects one response; resolves when it completed or failed. */
function collector(onHeaders?: (req: () => UpstreamRequest) => void) {
  const r: Result = { informational: [], body: Buffer.alloc(0) };
  const chunks: Buffer[] = [];
  let resolve!: (r: Result) => void;
  const done = new Promise<Result>((res) => (resolve = res));
  let request: UpstreamRequest | undefined;
  const handler: UpstreamResponseHandler = {
    onUpstreamSelected(address) {
      r.address = address;
    },
    onInformational(h) {
      r.informational.push(h);
    },
    onHeaders(h, end) {
      r.headers = h;
      onHeaders?.(() => request!);
      if (end) resolve(r);
    },
    onData(chunk, end) {
      chunks.push(chunk);
      if (end) {
        r.body = Buffer.concat(chunks);
        resolve(r);
      }
    },
    onTrailers(t) {
      r.body = Buffer.concat(chunks);
      r.trailers = t;
      resolve(r);
    },
    onError(failure, message, responseStarted) {
      r.body = Buffer.concat(chunks);
      r.error = { failure, message, responseStarted };
      resolve(r);
    },
  };
  return { handler, done, setRequest: (q: UpstreamRequest) => (request = q) };
}

function req(method: string, path: string, extra: string[] = []): HeaderMap {
  return new HeaderMap([':method', method, ':scheme', 'http', ':authority', 'upstream.test', ':path', path, ...extra]);
}

async function startUpstream(onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, session: http2.ServerHttp2Session) => void, settings?: http2.Settings) {
  const server = http2.createServer(settings ? { settings } : {});
  const sessions: http2.ServerHttp2Session[] = [];
  server.on('session', (s) => sessions.push(s));
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    onStream(stream, headers, stream.session as http2.ServerHttp2Session);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    sessions,
    async close() {
      for (const s of sessions) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

function pool(port: number, extra: Partial<Http2EndpointPoolOptions> = {}) {
  let connections = 0;
  const p = new Http2EndpointPool({
    endpoint: { host: '127.0.0.1', port },
    connector: tcpConnector,
    connectTimeoutMs: 1000,
    idleTimeoutMs: 0,
    maxConnections: 10,
    onConnectionCountChange: (d) => (connections += d),
    ...extra,
  });
  return Object.assign(p, { connections: () => connections });
}

async function waitFor(cond: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const echo = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
  const chunks: Buffer[] = [];
  let trailers: http2.IncomingHttpHeaders | undefined;
  stream.on('trailers', (t) => (trailers = t));
  stream.on('data', (d: Buffer) => chunks.push(d));
  stream.on('end', () => {
    stream.respond({ ':status': 200, 'x-path': String(headers[':path']), 'x-scheme': String(headers[':scheme']), 'x-te': String(headers['te']) }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers ? { 'x-echo': String(trailers['x-req']) } : {}));
    stream.end(Buffer.concat(chunks));
  });
};

test('GET, and POST with body and trailers both ways', async () => {
  const up = await startUpstream(echo);
  const p = pool(up.port);
  try {
    const a = collector();
    p.newRequest(req('GET', '/a'), true, a.handler, { timeoutMs: 0 });
    const ra = await a.done;
    assert.equal(ra.error, undefined);
    assert.equal(ra.headers!.get(':status'), '200');
    assert.equal(ra.headers!.get('x-path'), '/a');
    assert.equal(ra.headers!.get('x-te'), 'undefined', 'te: trailers is added for gRPC only');
    assert.equal(ra.address, `127.0.0.1:${up.port}`);

    const b = collector();
    const r = p.newRequest(req('POST', '/b', ['content-type', 'application/grpc']), false, b.handler, { timeoutMs: 0 });
    r.sendData(Buffer.from('hello '), false);
    r.sendData(Buffer.from('world'), false);
    r.sendTrailers(new HeaderMap(['x-req', 'tv']));
    const rb = await b.done;
    assert.equal(rb.error, undefined);
    assert.equal(rb.body.toString(), 'hello world');
    assert.equal(rb.trailers?.get('x-echo'), 'tv');
    assert.equal(rb.headers!.get('x-te'), 'trailers');
    assert.equal(up.sessions.length, 1, 'both requests shared one connection');
  } finally {
    p.close();
    await up.close();
  }
});

test('a trailers-only response arrives as headers with endStream', async () => {
  const up = await startUpstream((stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': 'denied' }, { endStream: true }));
  const p = pool(up.port);
  try {
    const c = collector();
    p.newRequest(req('POST', '/svc/M', ['content-type', 'application/grpc']), true, c.handler, { timeoutMs: 0 });
    const r = await c.done;
    assert.equal(r.headers!.get('grpc-status'), '7');
    assert.equal(r.headers!.get('grpc-message'), 'denied');
    assert.equal(r.body.length, 0);
  } finally {
    p.close();
    await up.close();
  }
});

test('more sessions open when streams reach the server limit; maxConnections makes the rest wait', async () => {
  const held: http2.ServerHttp2Stream[] = [];
  const up = await startUpstream((stream) => held.push(stream), { maxConcurrentStreams: 2 });
  const p = pool(up.port, { maxConnections: 2 });
  try {
    // Settle the server's SETTINGS on a first session before the burst.
    const first = collector();
    p.newRequest(req('GET', '/0'), true, first.handler, { timeoutMs: 0 });
    await waitFor(() => held.length === 1);
    held.shift()!.respond({ ':status': 204 }, { endStream: true });
    await first.done;
    const results = Array.from({ length: 5 }, (_, i) => {
      const c = collector();
      p.newRequest(req('GET', `/${i + 1}`), true, c.handler, { timeoutMs: 0 });
      return c.done;
    });
    await waitFor(() => held.length === 4);
    assert.equal(p.connections(), 2, 'two sessions of two streams each');
    assert.equal(p.activeRequests, 5, 'the fifth request waits');
    while (held.length > 0 || p.activeRequests > 0) {
      const s = held.shift();
      if (s) s.respond({ ':status': 200 }, { endStream: true });
      else await new Promise((r) => setTimeout(r, 5));
    }
    const all = await Promise.all(results);
    for (const r of all) assert.equal(r.headers?.get(':status'), '200');
  } finally {
    p.close();
    await up.close();
  }
});

test('GOAWAY: the stream in flight completes, new requests go to a new session', async () => {
  const held: http2.ServerHttp2Stream[] = [];
  const up = await startUpstream((stream) => held.push(stream));
  const p = pool(up.port);
  try {
    const a = collector();
    p.newRequest(req('GET', '/a'), true, a.handler, { timeoutMs: 0 });
    await waitFor(() => held.length === 1);
    const inFlight = held.shift()!;
    inFlight.session!.goaway(constants.NGHTTP2_NO_ERROR, inFlight.id!);
    await waitFor(() => p.connections() === 1 && up.sessions.length === 1);
    // A later request must not use the going-away session.
    await new Promise((r) => setTimeout(r, 50));
    const b = collector();
    p.newRequest(req('GET', '/b'), true, b.handler, { timeoutMs: 0 });
    await waitFor(() => held.length === 1);
    assert.equal(up.sessions.length, 2, 'a second session was opened');
    held.shift()!.respond({ ':status': 200, 'x-which': 'b' }, { endStream: true });
    inFlight.respond({ ':status': 200, 'x-which': 'a' }, { endStream: true });
    assert.equal((await a.done).headers!.get('x-which'), 'a');
    assert.equal((await b.done).headers!.get('x-which'), 'b');
  } finally {
    p.close();
    await up.close();
  }
});

test('a stream refused by GOAWAY is retried once on a new session when it had no body', async () => {
  let n = 0;
  const up = await startUpstream((stream) => {
    n++;
    if (n === 2) {
      // Refuse everything after the first stream: GOAWAY names stream 1 as the last one processed.
      stream.session!.goaway(constants.NGHTTP2_NO_ERROR, 1);
      return;
    }
    stream.respond({ ':status': 200, 'x-n': String(n) }, { endStream: true });
  });
  const p = pool(up.port);
  try {
    const a = collector();
    p.newRequest(req('GET', '/a'), true, a.handler, { timeoutMs: 0 });
    assert.equal((await a.done).headers!.get('x-n'), '1');
    const b = collector();
    p.newRequest(req('GET', '/b'), true, b.handler, { timeoutMs: 0 });
    const rb = await b.done;
    assert.equal(rb.error, undefined, rb.error?.message);
    assert.equal(rb.headers!.get('x-n'), '3');
    assert.equal(up.sessions.length, 2);
  } finally {
    p.close();
    await up.close();
  }
});

test('nothing listening: connect_failed', async () => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  s.close();
  await once(s, 'close');
  const p = pool(port);
  try {
    const c = collector();
    p.newRequest(req('GET', '/'), true, c.handler, { timeoutMs: 0 });
    const r = await c.done;
    assert.equal(r.error?.failure, 'connect_failed');
    assert.match(r.error!.message, /ECONNREFUSED/);
    assert.equal(r.error!.responseStarted, false);
  } finally {
    p.close();
  }
});

test('the request timeout fails the exchange with timeout and cancels the stream', async () => {
  const cancelled: number[] = [];
  const up = await startUpstream((stream) => stream.on('close', () => cancelled.push(stream.rstCode ?? -1)));
  const p = pool(up.port);
  try {
    const c = collector();
    p.newRequest(req('GET', '/'), true, c.handler, { timeoutMs: 100 });
    const r = await c.done;
    assert.equal(r.error?.failure, 'timeout');
    await waitFor(() => cancelled.length === 1);
    assert.equal(cancelled[0], constants.NGHTTP2_CANCEL);
  } finally {
    p.close();
    await up.close();
  }
});

test('upstream reset mid-response: connection_reset with responseStarted', async () => {
  const up = await startUpstream((stream) => {
    // waitForTrailers: node's close() would otherwise end the stream (END_STREAM) before its RST_STREAM.
    stream.respond({ ':status': 200 }, { waitForTrailers: true });
    stream.write('partial', () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
  });
  const p = pool(up.port);
  try {
    const c = collector();
    p.newRequest(req('GET', '/'), true, c.handler, { timeoutMs: 0 });
    const r = await c.done;
    assert.equal(r.error?.failure, 'connection_reset');
    assert.equal(r.error?.responseStarted, true);
  } finally {
    p.close();
    await up.close();
  }
});

test('a response cut short by RST_STREAM(NO_ERROR) is not complete', async () => {
  const up = await startUpstream((stream) => {
    stream.respond({ ':status': 200, 'content-length': '100' });
    stream.write('partial', () => stream.close(constants.NGHTTP2_NO_ERROR));
  });
  const p = pool(up.port);
  try {
    const c = collector();
    p.newRequest(req('GET', '/'), true, c.handler, { timeoutMs: 0 });
    const r = await c.done;
    assert.equal(r.error?.failure, 'connection_reset');
  } finally {
    p.close();
    await up.close();
  }
});

test('a session without streams closes after idleTimeoutMs', async () => {
  const up = await startUpstream(echo);
  const p = pool(up.port, { idleTimeoutMs: 100 });
  try {
    const c = collector();
    p.newRequest(req('GET', '/'), true, c.handler, { timeoutMs: 0 });
    await c.done;
    assert.equal(p.connections(), 1);
    await waitFor(() => p.connections() === 0);
    assert.equal(p.connectionCount, 0);
  } finally {
    p.close();
    await up.close();
  }
});

test('waiting requests beyond maxPendingRequests fail with overflow', async () => {
  const held: http2.ServerHttp2Stream[] = [];
  const up = await startUpstream((stream) => held.push(stream));
  const p = pool(up.port, { maxConnections: 1, maxStreamsPerConnection: 1, maxPendingRequests: 2 });
  try {
    const a = collector();
    const b = collector();
    const c = collector();
    p.newRequest(req('GET', '/a'), true, a.handler, { timeoutMs: 0 });
    p.newRequest(req('GET', '/b'), true, b.handler, { timeoutMs: 0 });
    p.newRequest(req('GET', '/c'), true, c.handler, { timeoutMs: 0 });
    const rc = await c.done;
    assert.equal(rc.error?.failure, 'overflow');
    await waitFor(() => held.length === 1);
    held.shift()!.respond({ ':status': 200 }, { endStream: true });
    await a.done;
    await waitFor(() => held.length === 1);
    held.shift()!.respond({ ':status': 201 }, { endStream: true });
    assert.equal((await b.done).headers!.get(':status'), '201');
  } finally {
    p.close();
    await up.close();
  }
});

test('readDisable stops the response at the flow-control window', async () => {
  let written = 0;
  let finished = false;
  const total = 32 << 20;
  const up = await startUpstream((stream) => {
    stream.respond({ ':status': 200 });
    const chunk = Buffer.alloc(64 << 10);
    const pump = () => {
      while (written < total) {
        written += chunk.length;
        if (written >= total) {
          stream.end(chunk, () => (finished = true));
          return;
        }
        if (!stream.write(chunk)) {
          stream.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  const p = pool(up.port, { initialWindowSize: 65_535, connectionWindowSize: 65_535 });
  try {
    let got = 0;
    let request!: UpstreamRequest;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    let headers = false;
    request = p.newRequest(req('GET', '/'), true, {
      onHeaders() {
        headers = true;
        request.readDisable(true);
      },
      onData(chunk, end) {
        got += chunk.length;
        if (end) resolve();
      },
      onTrailers() {},
      onError(f, m) {
        throw new Error(`${f}: ${m}`);
      },
    }, { timeoutMs: 0 });
    await waitFor(() => headers);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(finished, false);
    assert.ok(written < 4 << 20, `the upstream was held back (it wrote ${written} bytes)`);
    request.readDisable(false);
    await done;
    assert.equal(got, total);
  } finally {
    p.close();
    await up.close();
  }
});

test('a response completed before the request body was sent cancels the upstream stream', async () => {
  let requestComplete: boolean | undefined;
  let closed = false;
  const up = await startUpstream((stream) => {
    onRemoteEnd(stream, (complete) => (requestComplete = complete));
    stream.on('close', () => (closed = true));
    stream.respond({ ':status': 413 }, { endStream: true });
  });
  const p = pool(up.port);
  try {
    const c = collector();
    const r = p.newRequest(req('POST', '/'), false, c.handler, { timeoutMs: 0 });
    r.sendData(Buffer.from('first part'), false);
    const res = await c.done;
    assert.equal(res.headers!.get(':status'), '413');
    assert.equal(res.error, undefined);
    await waitFor(() => closed);
    assert.equal(requestComplete, false, 'the stream was reset, the cut body never looked complete');
    assert.equal(r.sendData(Buffer.from('more'), true), true, 'later body is dropped quietly');
  } finally {
    p.close();
    await up.close();
  }
});

test('reset() mid-body cancels the upstream stream without ending the request cleanly', async () => {
  let requestComplete: boolean | undefined;
  let rst: number | undefined;
  let gotData = false;
  const up = await startUpstream((stream) => {
    onRemoteEnd(stream, (complete) => (requestComplete = complete));
    stream.on('data', () => (gotData = true));
    stream.on('close', () => (rst = stream.rstCode));
  });
  const p = pool(up.port);
  try {
    const c = collector();
    const r = p.newRequest(req('POST', '/'), false, c.handler, { timeoutMs: 0 });
    r.sendData(Buffer.from('part of a body'), false);
    await waitFor(() => gotData);
    r.reset();
    await waitFor(() => rst !== undefined);
    assert.equal(rst, constants.NGHTTP2_CANCEL);
    assert.notEqual(requestComplete, true, 'the upstream never saw a complete request');
  } finally {
    p.close();
    await up.close();
  }
});
