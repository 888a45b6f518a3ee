// Unit tests of HTTP/2 header conversion, with a fuzz pass: arbitrary header lists never throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeaderMap } from './header-map.js';
import { headersFromH2, requestHeadersFromH2, toH2Headers } from './h2-headers.js';

test('pseudo-headers come first in Weft order whatever the wire order', () => {
  const r = requestHeadersFromH2([':path', '/p', ':authority', 'a', ':scheme', 'https', ':method', 'PUT', 'x', '1']);
  assert.ok(r.ok);
  assert.deepEqual(r.headers.list, [':method', 'PUT', ':scheme', 'https', ':authority', 'a', ':path', '/p', 'x', '1']);
});

test('malformed requests are refused with a reason', () => {
  const bad: [string[], RegExp][] = [
    [[':path', '/', ':scheme', 'http', ':authority', 'a'], /:method/],
    [[':method', 'GET', ':scheme', 'http', ':authority', 'a'], /:path/],
    [[':method', 'GET', ':path', '/', ':authority', 'a'], /:scheme/],
    [[':method', 'GET', ':path', '/', ':scheme', 'http'], /authority/],
    [[':method', 'GET', ':path', '/', ':scheme', 'http', ':authority', 'a', 'host', 'b'], /differs/],
    [[':method', 'GET', ':path', '/', ':scheme', 'http', 'host', 'a', 'host', 'a'], /more than one host/],
    [[':method', 'GET', ':path', '/', ':scheme', 'http', ':authority', 'a', ':protocol', 'websocket'], /pseudo-header/],
    [[':method', 'CONNECT', ':authority', 'a:443'], /CONNECT/],
  ];
  for (const [raw, why] of bad) {
    const r = requestHeadersFromH2(raw);
    assert.equal(r.ok, false, raw.join(' '));
    if (!r.ok) assert.match(r.message, why);
  }
});

test('host fills a missing :authority and is dropped; an agreeing host is dropped too', () => {
  const a = requestHeadersFromH2([':method', 'GET', ':path', '/', ':scheme', 'http', 'host', 'h.example']);
  assert.ok(a.ok);
  assert.equal(a.headers.get(':authority'), 'h.example');
  assert.equal(a.headers.has('host'), false);
  const b = requestHeadersFromH2([':method', 'GET', ':path', '/', ':scheme', 'http', ':authority', 'H.example', 'host', 'h.EXAMPLE']);
  assert.ok(b.ok);
  assert.equal(b.headers.has('host'), false);
});

test('cookies are joined in order at the first cookie position; te is dropped', () => {
  const r = requestHeadersFromH2([':method', 'GET', ':path', '/', ':scheme', 'http', ':authority', 'a', 'x', '1', 'cookie', 'a=1', 'te', 'trailers', 'y', '2', 'cookie', 'b=2']);
  assert.ok(r.ok);
  assert.deepEqual(r.headers.list.slice(8), ['x', '1', 'cookie', 'a=1; b=2', 'y', '2']);
});

test('outgoing headers: connection-specific fields stripped, te only as trailers, repeats become arrays, single-value fields keep the first', () => {
  const m = new HeaderMap([
    ':status', '200', ':path', '/nope', 'connection', 'close', 'keep-alive', '5', 'proxy-connection', 'x', 'transfer-encoding', 'chunked',
    'upgrade', 'h2c', 'http2-settings', 'x', 'host', 'h', 'te', 'gzip', 'set-cookie', 'a', 'set-cookie', 'b', 'content-type', 'text/a', 'content-type', 'text/b', '__proto__', 'p',
  ]);
  const out = toH2Headers(m, 'response');
  // A field named __proto__ is an ordinary key (the object has no prototype to pollute).
  assert.deepEqual(Object.entries(out), [
    [':status', '200'],
    ['set-cookie', ['a', 'b']],
    ['content-type', 'text/a'],
    ['__proto__', 'p'],
  ]);
  const req = toH2Headers(new HeaderMap([':method', 'GET', ':scheme', 'http', ':authority', 'a', ':path', '/', ':status', '1', 'te', 'Trailers']), 'request');
  assert.deepEqual({ ...req }, { ':method': 'GET', ':scheme': 'http', ':authority': 'a', ':path': '/', te: 'Trailers' });
  const trailers = toH2Headers(new HeaderMap([':status', '200', 'grpc-status', '0']), 'none');
  assert.deepEqual({ ...trailers }, { 'grpc-status': '0' });
});

test('response lists drop connection-specific fields', () => {
  assert.deepEqual(headersFromH2([':status', '200', 'connection', 'x', 'a', '1']).list, [':status', '200', 'a', '1']);
});

test('fuzz: random header lists never throw', () => {
  let seed = 42;
  const rnd = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * n);
  const names = [':method', ':path', ':scheme', ':authority', ':status', ':protocol', 'host', 'cookie', 'te', 'connection', 'x', 'content-type', 'content-length', '__proto__', 'constructor'];
  for (let i = 0; i < 3000; i++) {
    const raw: string[] = [];
    const n = rnd(12);
    for (let j = 0; j < n; j++) raw.push(names[rnd(names.length)]!, rnd(3) === 0 ? '' : `v${rnd(5)}`);
    const r = requestHeadersFromH2(raw);
    if (r.ok) {
      assert.deepEqual(r.headers.list.filter((_, k) => k % 2 === 0).slice(0, 4), [':method', ':scheme', ':authority', ':path']);
      toH2Headers(r.headers, 'request');
    }
    toH2Headers(new HeaderMap(raw), 'response');
    headersFromH2(raw);
  }
});
