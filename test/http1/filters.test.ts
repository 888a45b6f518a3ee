// Filter chains end to end: listener and route chains from PreparedFilterChains, async resume, buffering limits, local replies.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FilterAction, type HttpFilterFactory } from '../../proxy/http/filter.js';
import { client, pluginsFor, startHttpUpstream, startProxy, testFilterChains, type HttpUpstream, type Proxy } from './harness.js';

const H = 'Host: example.test\r\n';

/** Holds request headers for a few milliseconds (as an auth callout would), then adds a header and resumes. */
const slowAuth: HttpFilterFactory = {
  name: 'slow-auth',
  create(cb) {
    return {
      onRequestHeaders(headers) {
        if (headers.get('x-deny') !== undefined) {
          setTimeout(() => cb.sendLocalReply({ status: 403, body: 'denied by slow-auth', details: 'slow_auth_denied' }), 5);
          return FilterAction.Stop;
        }
        setTimeout(() => {
          cb.requestHeaders()!.add('x-auth', 'ok');
          cb.continueRequest();
        }, 5);
        return FilterAction.Stop;
      },
    };
  },
};

/** Buffers the whole request body, then replaces it with its length. */
const bodyCounter: HttpFilterFactory = {
  name: 'body-counter',
  create(cb) {
    return {
      onRequestHeaders(headers, end) {
        if (!end) headers.remove('content-length');
        return FilterAction.Continue;
      },
      onRequestBody(body, end) {
        if (!end) return FilterAction.Stop;
        const n = body.length;
        body.drain();
        body.append(Buffer.from(`length=${n}`));
        cb.requestHeaders();
        return FilterAction.Continue;
      },
    };
  },
};

/** Turns upstream 5xx into a local 503 with its own body; tags every response. */
const responseGuard: HttpFilterFactory = {
  name: 'response-guard',
  create(cb) {
    return {
      onResponseHeaders(headers) {
        headers.set('x-guarded', 'yes');
        if (Number(headers.get(':status')) >= 500) {
          cb.sendLocalReply({ status: 503, body: 'upstream unhappy', headers: [['x-guard', 'replaced']] });
          return FilterAction.Stop;
        }
        return FilterAction.Continue;
      },
    };
  },
};

/** Adds a response trailer when the body ends. */
const trailerAdder: HttpFilterFactory = {
  name: 'trailer-adder',
  create(cb) {
    return {
      onResponseHeaders(headers) {
        headers.remove('content-length');
        return FilterAction.Continue;
      },
      onResponseBody(_body, end) {
        if (end) cb.responseTrailers(true)?.add('x-filter-trailer', 'added');
        return FilterAction.Continue;
      },
    };
  },
};

/** Sets :path from a request header (a misbehaving filter, as a Wasm guest could be). */
const pathSetter: HttpFilterFactory = {
  name: 'path-setter',
  create() {
    return {
      onRequestHeaders(headers) {
        const p = headers.get('x-set-path');
        if (p !== undefined) headers.set(':path', decodeURIComponent(p));
        return FilterAction.Continue;
      },
    };
  },
};

describe('filter chains through the proxy', () => {
  let upstream: HttpUpstream;
  let proxy: Proxy;
  const completed: string[] = [];
  const tracker: HttpFilterFactory = {
    name: 'tracker',
    create(cb) {
      return { onStreamComplete: () => completed.push(cb.info.requestId) };
    },
  };

  before(async () => {
    upstream = await startHttpUpstream((req, res, seen) => {
      if (req.url === '/fail') res.statusCode = 500;
      res.setHeader('x-upstream-auth', String(req.headers['x-auth'] ?? ''));
      res.end(seen.body.length > 0 ? seen.body : 'ok');
    });
    const chains = testFilterChains({
      edge: [tracker, responseGuard, slowAuth, pathSetter],
      counting: [bodyCounter],
      trailing: [trailerAdder],
    });
    proxy = await startProxy(
      `
listeners:
  - name: main
    address: 127.0.0.1:0
    http: { route_table: rt, filter_chain: edge, max_buffer_bytes: 64KiB }
route_tables:
  - name: rt
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { path: { prefix: /count } }
            forward: { cluster: up }
            filter_chain: counting
          - match: { path: { prefix: /trailers } }
            forward: { cluster: up }
            filter_chain: trailing
          - match: { path: { prefix: / } }
            forward: { cluster: up }
clusters:
  - name: up
    endpoints: [{ address: 127.0.0.1:${upstream.port} }]
${pluginsFor('edge', 'counting', 'trailing')}
`,
      { filterChains: chains },
    );
  });

  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  test('a listener filter holding the headers while the body arrives resumes later; the body is intact', async () => {
    const c = await client(proxy.port);
    c.send(`POST /echo HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\nhello`);
    setTimeout(() => c.send(' world'), 1);
    const res = await c.reader.read();
    c.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'hello world');
    assert.equal(res.get('x-upstream-auth'), 'ok');
    assert.equal(res.get('x-guarded'), 'yes');
  });

  test('an asynchronous local reply from a held request', async () => {
    const c = await client(proxy.port);
    c.send(`GET / HTTP/1.1\r\n${H}X-Deny: 1\r\n\r\n`);
    const res = await c.reader.read();
    c.close();
    assert.equal(res.status, 403);
    assert.equal(res.body.toString(), 'denied by slow-auth');
    assert.equal(res.get('x-guarded'), 'yes', 'the reply went through the earlier filter');
  });

  test('a route filter chain buffering the whole body and rewriting it', async () => {
    const c = await client(proxy.port);
    c.send(`POST /count HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n`);
    const res = await c.reader.read();
    c.close();
    assert.equal(res.body.toString(), 'length=7');
    assert.equal(upstream.requests[upstream.requests.length - 1]!.body.toString(), 'length=7');
  });

  test('a body above max_buffer_bytes held by a filter answers 413 and closes the connection', async () => {
    const c = await client(proxy.port);
    // More than the limit arrives while the body is still incomplete, so the filter must hold it.
    const big = Buffer.alloc(100 * 1024, 'x');
    c.send(`POST /count HTTP/1.1\r\n${H}Content-Length: ${big.length * 2}\r\n\r\n`);
    c.send(big);
    const res = await c.reader.read();
    assert.equal(res.status, 413);
    assert.equal(res.get('x-weft-error'), 'payload_too_large');
    assert.ok(await c.reader.closed());
  });

  test('a response-side local reply replaces an upstream 500', async () => {
    const c = await client(proxy.port);
    c.send(`GET /fail HTTP/1.1\r\n${H}\r\n`);
    const res = await c.reader.read();
    assert.equal(res.status, 503);
    assert.equal(res.body.toString(), 'upstream unhappy');
    assert.equal(res.get('x-guard'), 'replaced');
    // The connection stays usable.
    c.send(`GET /ok HTTP/1.1\r\n${H}\r\n`);
    assert.equal((await c.reader.read()).status, 200);
    c.close();
  });

  test('a filter adding response trailers: the client gets them after the chunked body', async () => {
    const c = await client(proxy.port);
    c.send(`GET /trailers HTTP/1.1\r\n${H}\r\n`);
    const res = await c.reader.read();
    c.close();
    assert.equal(res.get('transfer-encoding'), 'chunked');
    assert.equal(res.body.toString(), 'ok');
    assert.deepEqual(res.trailers, [['x-filter-trailer', 'added']]);
  });

  test('a :path a filter made invalid is never written upstream (no request-line injection)', async () => {
    const before = upstream.requests.length;
    const c = await client(proxy.port);
    c.send(`GET /ok HTTP/1.1\r\n${H}X-Set-Path: ${encodeURIComponent('/x HTTP/1.1\r\nHost: evil\r\n\r\nGET /smuggled')}\r\n\r\n`);
    const res = await c.reader.read();
    c.close();
    assert.equal(res.status, 400);
    assert.equal(res.get('x-weft-error'), 'invalid_request');
    assert.equal(upstream.requests.length, before);
  });

  test('onStreamComplete runs once per stream', async () => {
    const before = completed.length;
    const c = await client(proxy.port);
    for (let i = 0; i < 3; i++) {
      c.send(`GET /n${i} HTTP/1.1\r\n${H}\r\n`);
      await c.reader.read();
    }
    c.close();
    assert.equal(completed.length - before, 3);
    assert.equal(new Set(completed.slice(before)).size, 3);
  });
});
