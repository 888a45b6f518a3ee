// Unit tests of the HTTP/2 server codec on real sockets: a tiny in-test application stands in for the connection manager.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2, { constants } from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { RequestDecoder, ResetReason, ResponseEncoder, ServerConnection } from './codec.js';
import { serveHttp2, matchHttp2Preface, HTTP2_PREFACE, type Http2CodecOptions } from './codec-h2.js';
import { HeaderMap } from './header-map.js';
import type { ConnectionInfo } from './stream-info.js';

/** What the in-test application saw of one stream. */
interface Seen {
  headers?: HeaderMap;
  headersEnd?: boolean;
  body: Buffer[];
  trailers?: HeaderMap;
  ended: boolean;
  reset?: ResetReason;
  encoder: ResponseEncoder;
}

type App = (seen: Seen, event: 'headers' | 'data' | 'end' | 'reset' | 'drain') => void;

const baseOptions: Http2CodecOptions = { maxHeaderBytes: 8192, maxHeaderCount: 50, idleTimeoutMs: 0, requestTimeoutMs: 0 };

async function startServer(app: App, options: Http2CodecOptions = baseOptions) {
  const connections: ServerConnection[] = [];
  const streams: Seen[] = [];
  let nextId = 1;
  const server = net.createServer((socket) => {
    // Sniff like a listener does: read until the preface is known, then hand the bytes over.
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const m = matchHttp2Preface(buf);
      if (m === 'maybe') return;
      // Left flowing on purpose, as a listener's sniffer leaves it: the codec must cope.
      socket.removeListener('data', onData);
      if (m === 'no') {
        socket.destroy();
        return;
      }
      const info: ConnectionInfo = {
        id: nextId++,
        listenerName: 'test',
        remoteAddress: socket.remoteAddress ?? '',
        remotePort: socket.remotePort ?? 0,
        localAddress: socket.localAddress ?? '',
        localPort: socket.localPort ?? 0,
      };
      connections.push(
        serveHttp2(
          socket,
          {
            newStream(encoder) {
              const seen: Seen = { body: [], ended: false, encoder };
              streams.push(seen);
              const decoder: RequestDecoder = {
                decodeHeaders(h, end) {
                  seen.headers = h;
                  seen.headersEnd = end;
                  if (end) seen.ended = true;
                  app(seen, 'headers');
                  if (end) app(seen, 'end');
                },
                decodeData(chunk, end) {
                  assert.equal(seen.ended, false, 'no data after the end of the request');
                  if (chunk.length > 0) seen.body.push(chunk);
                  app(seen, 'data');
                  if (end) {
                    seen.ended = true;
                    app(seen, 'end');
                  }
                },
                decodeTrailers(t) {
                  assert.equal(seen.ended, false);
                  seen.trailers = t;
                  seen.ended = true;
                  app(seen, 'end');
                },
                onReset(reason) {
                  assert.equal(seen.reset, undefined, 'onReset comes once');
                  seen.reset = reason;
                  app(seen, 'reset');
                },
                onResponseDrain() {
                  app(seen, 'drain');
                },
              };
              return decoder;
            },
          },
          info,
          options,
          buf,
        ),
      );
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const clients: http2.ClientHttp2Session[] = [];
  return {
    port,
    connections,
    streams,
    client(settings?: http2.Settings) {
      const c = http2.connect(`http://127.0.0.1:${port}`, settings ? { settings } : {});
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      for (const c of connections) c.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Polls `cond` until it holds (fails after 10 s). */
async function waitFor(cond: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves when the stream closed, whatever the reason (events.once would reject on 'error'). */
function closed(stream: http2.ClientHttp2Stream): Promise<void> {
  return new Promise((resolve) => stream.once('close', () => resolve()));
}

interface Response {
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers?: http2.IncomingHttpHeaders;
  rstCode?: number;
}

function request(c: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer | string, trailers?: http2.OutgoingHttpHeaders): Promise<Response> {
  return new Promise((resolve, reject) => {
    const endStream = body === undefined && trailers === undefined;
    const req = c.request(headers, { endStream, waitForTrailers: trailers !== undefined });
    if (trailers) req.on('wantTrailers', () => req.sendTrailers(trailers));
    if (!endStream) req.end(body);
    const out: Response = { headers: {}, body: Buffer.alloc(0) };
    const chunks: Buffer[] = [];
    req.on('response', (h) => (out.headers = h));
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('trailers', (t) => (out.trailers = t));
    req.on('error', () => {});
    req.on('close', () => {
      out.body = Buffer.concat(chunks);
      out.rstCode = req.rstCode;
      if (out.headers[':status'] === undefined && req.rstCode !== constants.NGHTTP2_NO_ERROR) {
        reject(Object.assign(new Error(`stream reset ${req.rstCode}`), { rstCode: req.rstCode }));
      } else resolve(out);
    });
  });
}

/** Replies 200 with a body that echoes what the app saw; trailers from the request come back as response trailers. */
const echoApp: App = (seen, ev) => {
  if (ev !== 'end') return;
  const e = seen.encoder;
  const body = Buffer.from(JSON.stringify({ headers: seen.headers!.list, body: Buffer.concat(seen.body).toString() }));
  e.encodeHeaders(new HeaderMap([':status', '200', 'content-type', 'application/json', 'connection', 'close', 'keep-alive', 'timeout=5', 'transfer-encoding', 'chunked', 'x-multi', 'a', 'x-multi', 'b', 'content-type', 'text/plain']), false);
  if (seen.trailers) {
    e.encodeData(body, false);
    e.encodeTrailers(new HeaderMap(['x-echo-trailer', seen.trailers.get('x-req-trailer') ?? 'none']));
  } else {
    e.encodeData(body, true);
  }
};

test('preface matching', () => {
  assert.equal(matchHttp2Preface(HTTP2_PREFACE), 'yes');
  assert.equal(matchHttp2Preface(Buffer.concat([HTTP2_PREFACE, Buffer.from('more')])), 'yes');
  assert.equal(matchHttp2Preface(HTTP2_PREFACE.subarray(0, 5)), 'maybe');
  assert.equal(matchHttp2Preface(Buffer.from('GET / HTTP/1.1\r\n')), 'no');
  assert.equal(matchHttp2Preface(Buffer.from('PRI * HTTP/1.1')), 'no');
});

test('request headers are normalized and responses are legal HTTP/2', async () => {
  const s = await startServer(echoApp);
  try {
    const c = s.client();
    const r = await request(c, { ':method': 'GET', ':path': '/a?b=1', ':authority': 'svc.local', cookie: ['a=1', 'b=2'], te: 'trailers', 'x-custom': 'v' });
    assert.equal(r.headers[':status'], 200);
    // Connection-specific fields were stripped (node's client would reject the response otherwise).
    assert.equal(r.headers['connection'], undefined);
    assert.equal(r.headers['transfer-encoding'], undefined);
    // Repeated fields stay repeated; a repeated single-value field keeps its first value.
    assert.deepEqual(r.headers['x-multi'], 'a, b');
    assert.equal(r.headers['content-type'], 'application/json');
    const seen = JSON.parse(r.body.toString()) as { headers: string[] };
    assert.deepEqual(seen.headers.slice(0, 8), [':method', 'GET', ':scheme', 'http', ':authority', 'svc.local', ':path', '/a?b=1']);
    const m = new HeaderMap(seen.headers);
    assert.equal(m.get('cookie'), 'a=1; b=2', 'split cookies are joined for HTTP/1');
    assert.equal(m.has('te'), false, 'te is hop-by-hop');
    assert.equal(m.get('x-custom'), 'v');
    assert.equal(s.streams[0]!.headersEnd, true);
  } finally {
    await s.close();
  }
});

test('host becomes :authority; a host that disagrees with :authority is rejected', async () => {
  const s = await startServer(echoApp);
  try {
    const c = s.client();
    const bad = await request(c, { ':method': 'GET', ':path': '/', ':authority': 'a.local', host: 'b.local' });
    assert.equal(bad.headers[':status'], 400);
    assert.equal(bad.headers['x-weft-error'], 'invalid_request');
    assert.match(JSON.parse(bad.body.toString()).message, /host header differs/);
    assert.equal(s.streams.length, 0, 'a malformed request never reaches the application');
  } finally {
    await s.close();
  }
});

test('request body and trailers in, response body and trailers out', async () => {
  const s = await startServer(echoApp);
  try {
    const c = s.client();
    const r = await request(c, { ':method': 'POST', ':path': '/up' }, 'x'.repeat(100_000), { 'x-req-trailer': 'tv' });
    assert.equal(r.headers[':status'], 200);
    assert.equal(JSON.parse(r.body.toString()).body.length, 100_000);
    assert.equal(r.trailers?.['x-echo-trailer'], 'tv');
    const seen = s.streams[0]!;
    assert.equal(seen.trailers?.get('x-req-trailer'), 'tv');
    assert.equal(seen.reset, undefined);
  } finally {
    await s.close();
  }
});

test('trailers-only response (headers with END_STREAM)', async () => {
  const s = await startServer((seen, ev) => {
    if (ev === 'end') seen.encoder.encodeHeaders(new HeaderMap([':status', '200', 'content-type', 'application/grpc', 'grpc-status', '5', 'grpc-message', 'nope']), true);
  });
  try {
    const r = await request(s.client(), { ':method': 'POST', ':path': '/svc/M', 'content-type': 'application/grpc' }, Buffer.alloc(5));
    assert.equal(r.headers['grpc-status'], '5');
    assert.equal(r.body.length, 0);
  } finally {
    await s.close();
  }
});

test('header limits answer 431 (gRPC requests get a gRPC status)', async () => {
  const s = await startServer(echoApp, { ...baseOptions, maxHeaderCount: 10, maxHeaderBytes: 1000 });
  try {
    const c = s.client();
    const many: http2.OutgoingHttpHeaders = { ':method': 'GET', ':path': '/' };
    for (let i = 0; i < 11; i++) many[`x-h${i}`] = 'v';
    const r1 = await request(c, many);
    assert.equal(r1.headers[':status'], 431);
    assert.equal(r1.headers['x-weft-error'], 'request_header_fields_too_large');
    const r2 = await request(c, { ':method': 'GET', ':path': '/', 'x-big': 'b'.repeat(1000) });
    assert.equal(r2.headers[':status'], 431);
    assert.equal(r2.headers['x-weft-error'], 'request_header_fields_too_large');
    const r3 = await request(c, { ':method': 'POST', ':path': '/svc/M', 'content-type': 'application/grpc', 'x-big': 'b'.repeat(1000) }, Buffer.alloc(0));
    assert.equal(r3.headers[':status'], 200);
    assert.equal(r3.headers['grpc-status'], '8');
    // Far beyond the limit nghttp2 itself refuses the header block (stream error).
    await assert.rejects(request(c, { ':method': 'GET', ':path': '/', 'x-huge': 'h'.repeat(20_000) }));
    // Within the limits all is well on the same connection.
    const ok = await request(c, { ':method': 'GET', ':path': '/fine' });
    assert.equal(ok.headers[':status'], 200);
    assert.equal(s.streams.length, 1);
  } finally {
    await s.close();
  }
});

test('a client RST_STREAM reaches the decoder as remote_reset', async () => {
  let resolveReset: (r: ResetReason) => void;
  const reset = new Promise<ResetReason>((r) => (resolveReset = r));
  const s = await startServer((seen, ev) => {
    if (ev === 'headers') seen.encoder.encodeHeaders(new HeaderMap([':status', '200']), false);
    if (ev === 'reset') resolveReset(seen.reset!);
  });
  try {
    const c = s.client();
    const req = c.request({ ':method': 'POST', ':path': '/' });
    req.on('error', () => {});
    req.write('partial');
    await once(req, 'response');
    req.close(constants.NGHTTP2_CANCEL);
    assert.equal(await reset, 'remote_reset');
  } finally {
    await s.close();
  }
});

test('encoder.reset sends RST_STREAM and does not call back onReset', async () => {
  const s = await startServer((seen, ev) => {
    if (ev === 'headers') {
      seen.encoder.encodeHeaders(new HeaderMap([':status', '200']), false);
      seen.encoder.encodeData(Buffer.from('part'), false);
      seen.encoder.reset('local_reset');
    }
  });
  try {
    const c = s.client();
    const req = c.request({ ':method': 'GET', ':path': '/' });
    req.on('error', () => {});
    let ended = false;
    req.on('end', () => (ended = true));
    req.resume();
    await closed(req);
    assert.equal(req.rstCode, constants.NGHTTP2_INTERNAL_ERROR);
    assert.equal(ended, false, 'the cut response did not end cleanly');
    assert.equal(s.streams[0]!.reset, undefined);
    // The connection is still good.
    const again = c.request({ ':method': 'GET', ':path': '/' });
    again.on('error', () => {});
    again.resume();
    await closed(again);
    assert.equal(s.streams.length, 2);
  } finally {
    await s.close();
  }
});

test('readDisable holds the request body at the flow-control window; readDisable(false) resumes it', async () => {
  let received = 0;
  let resolveEnd: () => void;
  const ended = new Promise<void>((r) => (resolveEnd = r));
  const s = await startServer(
    (seen, ev) => {
      if (ev === 'headers') seen.encoder.readDisable(true);
      if (ev === 'data') received = seen.body.reduce((n, b) => n + b.length, 0);
      if (ev === 'end') {
        seen.encoder.encodeHeaders(new HeaderMap([':status', '200']), true);
        resolveEnd();
      }
    },
    { ...baseOptions, initialWindowSize: 65_535 },
  );
  try {
    const c = s.client();
    const req = c.request({ ':method': 'POST', ':path': '/' });
    req.on('error', () => {});
    const total = 8 << 20;
    const chunk = Buffer.alloc(64 << 10);
    let written = 0;
    // Write until the client's own buffer refuses more: the server is not granting window.
    while (written < total && req.write(chunk)) written += chunk.length;
    written += chunk.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(written < total, 'the client was stopped by flow control');
    // Held at the server: the stream's window (64 KiB) plus node's read buffer, far from the 8 MiB sent so far.
    assert.ok(received <= 256 << 10, `server application received ${received} bytes while reading was disabled`);
    s.streams[0]!.encoder.readDisable(false);
    const writeRest = async () => {
      while (written < total) {
        if (!req.write(chunk)) await once(req, 'drain');
        written += chunk.length;
      }
      req.end();
    };
    await writeRest();
    await ended;
    assert.equal(s.streams[0]!.body.reduce((n, b) => n + b.length, 0), written);
    req.resume();
    await closed(req);
  } finally {
    await s.close();
  }
});

test('encodeData reports backpressure and onResponseDrain follows when the client reads', async () => {
  let pushed = 0;
  let falseSeen = false;
  let drained = 0;
  const total = 16 << 20;
  const chunk = Buffer.alloc(64 << 10, 1);
  const pump = (seen: Seen) => {
    while (pushed < total) {
      pushed += chunk.length;
      const ok = seen.encoder.encodeData(chunk, pushed >= total);
      if (!ok) {
        falseSeen = true;
        return;
      }
    }
  };
  const s = await startServer((seen, ev) => {
    if (ev === 'end') {
      seen.encoder.encodeHeaders(new HeaderMap([':status', '200']), false);
      pump(seen);
    }
    if (ev === 'drain') {
      drained++;
      pump(seen);
    }
  });
  try {
    const c = s.client({ initialWindowSize: 65_535 });
    const req = c.request({ ':method': 'GET', ':path': '/' });
    req.on('error', () => {});
    req.pause();
    await once(req, 'response');
    await waitFor(() => falseSeen);
    // Let a broken codec show itself: nothing more may be produced until the client reads.
    const atStop = pushed;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(pushed, atStop, 'the application waited for onResponseDrain');
    assert.ok(pushed < total / 4, `the server application stopped producing (pushed ${pushed})`);
    let got = 0;
    req.on('data', (d: Buffer) => (got += d.length));
    req.resume();
    await once(req, 'end');
    assert.equal(got, total);
    assert.ok(drained > 0);
  } finally {
    await s.close();
  }
});

test('drain sends GOAWAY: the request in flight completes, the connection then closes', async () => {
  let held: Seen | undefined;
  let resolveHeld: () => void;
  const gotHeld = new Promise<void>((r) => (resolveHeld = r));
  const s = await startServer((seen, ev) => {
    if (ev === 'end') {
      if (seen.headers!.get(':path') === '/slow') {
        held = seen;
        resolveHeld();
      } else echoApp(seen, ev);
    }
  });
  try {
    const c = s.client();
    const slow = request(c, { ':method': 'GET', ':path': '/slow' });
    await gotHeld;
    const goaway = once(c, 'goaway');
    s.connections[0]!.drain();
    await goaway;
    assert.equal(s.connections[0]!.activeStreams, 1);
    held!.encoder.encodeHeaders(new HeaderMap([':status', '200']), false);
    held!.encoder.encodeData(Buffer.from('done'), true);
    const r = await slow;
    assert.equal(r.body.toString(), 'done');
    await once(c, 'close');
    assert.equal(held!.reset, undefined);
  } finally {
    await s.close();
  }
});

test('an idle connection is closed after idleTimeoutMs', async () => {
  const s = await startServer(echoApp, { ...baseOptions, idleTimeoutMs: 200 });
  try {
    const c = s.client();
    const r = await request(c, { ':method': 'GET', ':path': '/' });
    assert.equal(r.headers[':status'], 200);
    await once(c, 'close');
  } finally {
    await s.close();
  }
});

test('a request body not received within requestTimeoutMs gets 408 and the decoder connection_timeout', async () => {
  const s = await startServer(() => {}, { ...baseOptions, requestTimeoutMs: 200 });
  try {
    const c = s.client();
    const req = c.request({ ':method': 'POST', ':path': '/' });
    req.on('error', () => {});
    req.write('never finished');
    const [h] = (await once(req, 'response')) as [http2.IncomingHttpHeaders];
    assert.equal(h[':status'], 408);
    assert.equal(h['x-weft-error'], 'request_timeout');
    req.resume();
    await closed(req);
    assert.equal(s.streams[0]!.reset, 'connection_timeout');
  } finally {
    await s.close();
  }
});

test('a response completed before the request ends the request stream without error', async () => {
  let resolveReset: (r: ResetReason) => void;
  const reset = new Promise<ResetReason>((r) => (resolveReset = r));
  const s = await startServer((seen, ev) => {
    if (ev === 'reset') resolveReset(seen.reset!);
    if (ev === 'headers') {
      seen.encoder.encodeHeaders(new HeaderMap([':status', '413']), false);
      seen.encoder.encodeData(Buffer.from('too big'), true);
    }
  });
  try {
    const c = s.client();
    const req = c.request({ ':method': 'POST', ':path': '/' });
    req.on('error', () => {});
    req.write(Buffer.alloc(1000));
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    await closed(req);
    assert.equal(Buffer.concat(chunks).toString(), 'too big');
    assert.equal(req.rstCode, constants.NGHTTP2_NO_ERROR);
    assert.equal(await reset, 'local_reset');
  } finally {
    await s.close();
  }
});

test('HEAD and 204 responses carry no body even if the application sends one', async () => {
  const s = await startServer((seen, ev) => {
    if (ev !== 'end') return;
    const status = seen.headers!.get(':method') === 'HEAD' ? '200' : '204';
    seen.encoder.encodeHeaders(new HeaderMap([':status', status, 'content-length', '5']), false);
    seen.encoder.encodeData(Buffer.from('hello'), false);
    seen.encoder.encodeTrailers(new HeaderMap(['x-t', '1']));
  });
  try {
    const c = s.client();
    const head = await request(c, { ':method': 'HEAD', ':path': '/' });
    assert.equal(head.headers[':status'], 200);
    assert.equal(head.body.length, 0);
    const nc = await request(c, { ':method': 'GET', ':path': '/' });
    assert.equal(nc.headers[':status'], 204);
    assert.equal(nc.body.length, 0);
  } finally {
    await s.close();
  }
});

test('a throwing application resets only its stream', async () => {
  const s = await startServer((seen, ev) => {
    if (ev === 'headers' && seen.headers!.get(':path') === '/boom') throw new Error('bug');
    echoApp(seen, ev);
  });
  try {
    const c = s.client();
    await assert.rejects(request(c, { ':method': 'GET', ':path': '/boom' }));
    const r = await request(c, { ':method': 'GET', ':path': '/ok' });
    assert.equal(r.headers[':status'], 200);
    assert.equal(s.streams[0]!.reset, 'local_reset');
  } finally {
    await s.close();
  }
});

test('destroy resets every stream in flight with local_reset', async () => {
  let resolveHeld: () => void;
  const gotHeld = new Promise<void>((r) => (resolveHeld = r));
  const s = await startServer((_seen, ev) => {
    if (ev === 'end') resolveHeld();
  });
  try {
    const c = s.client();
    const p = request(c, { ':method': 'GET', ':path': '/' });
    await gotHeld;
    s.connections[0]!.destroy();
    await assert.rejects(p);
    assert.equal(s.streams[0]!.reset, 'local_reset');
  } finally {
    await s.close();
  }
});

test('100-continue and 103 go out before the final response', async () => {
  const s = await startServer((seen, ev) => {
    if (ev !== 'headers') return;
    seen.encoder.encode1xx(new HeaderMap([':status', '103', 'link', '</a.css>; rel=preload']));
    seen.encoder.encodeHeaders(new HeaderMap([':status', '200']), true);
  });
  try {
    const c = s.client();
    const req = c.request({ ':method': 'GET', ':path': '/' });
    const info: http2.IncomingHttpHeaders[] = [];
    req.on('headers', (h) => info.push(h));
    req.resume();
    const [h] = (await once(req, 'response')) as [http2.IncomingHttpHeaders];
    assert.equal(h[':status'], 200);
    assert.equal(info[0]?.[':status'], 103);
    assert.equal(info[0]?.['link'], '</a.css>; rel=preload');
  } finally {
    await s.close();
  }
});

/** One HTTP/2 frame (RFC 9113 §4.1). */
function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId, 5);
  return Buffer.concat([h, payload]);
}

/** An HPACK block of literal fields without indexing (RFC 7541 §6.2.2); short names and values only. */
function hpack(fields: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [n, v] of fields) parts.push(Buffer.from([0, n.length]), Buffer.from(n), Buffer.from([v.length]), Buffer.from(v));
  return Buffer.concat(parts);
}

test('a request cut short by RST_STREAM(NO_ERROR) is a reset, not a complete body', async () => {
  let resolveReset: (r: ResetReason) => void;
  const reset = new Promise<ResetReason>((r) => (resolveReset = r));
  const s = await startServer((seen, ev) => {
    if (ev === 'reset') resolveReset(seen.reset!);
  });
  try {
    // node's client sends END_STREAM before its RST_STREAM(NO_ERROR); raw frames send only the reset.
    const sock = net.connect((await Promise.resolve(s.port)), '127.0.0.1');
    sock.on('error', () => {});
    await once(sock, 'connect');
    const headers = hpack([[':method', 'POST'], [':scheme', 'http'], [':authority', 'x'], [':path', '/']]);
    sock.write(Buffer.concat([HTTP2_PREFACE, frame(4, 0, 0, Buffer.alloc(0)), frame(1, 4, 1, headers), frame(0, 0, 1, Buffer.from('partial'))]));
    await waitFor(() => (s.streams[0]?.body.length ?? 0) > 0);
    sock.write(frame(3, 0, 1, Buffer.alloc(4)));
    assert.equal(await reset, 'remote_reset');
    assert.equal(s.streams[0]!.ended, false, 'the truncated body was never reported complete');
    sock.destroy();
  } finally {
    await s.close();
  }
});

test('a content-length response (no trailers expected) completes, and a cut one is an error for the client', async () => {
  const s = await startServer((seen, ev) => {
    if (ev !== 'end') return;
    const e = seen.encoder;
    e.encodeHeaders(new HeaderMap([':status', '200', 'content-length', '10']), false);
    if (seen.headers!.get(':path') === '/cut') {
      e.encodeData(Buffer.from('12345'), false);
      e.reset('remote_reset');
    } else {
      e.encodeData(Buffer.from('12345'), false);
      e.encodeData(Buffer.from('67890'), true);
    }
  });
  try {
    const c = s.client();
    const ok = await request(c, { ':method': 'GET', ':path': '/full' });
    assert.equal(ok.body.toString(), '1234567890');
    const req = c.request({ ':method': 'GET', ':path': '/cut' });
    let ended = false;
    req.on('end', () => (ended = true));
    req.on('error', () => {});
    req.resume();
    await closed(req);
    assert.equal(ended, false);
    assert.notEqual(req.rstCode, constants.NGHTTP2_NO_ERROR);
  } finally {
    await s.close();
  }
});
