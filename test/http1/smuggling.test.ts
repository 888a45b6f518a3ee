// Request smuggling and malformed requests: each is answered 400/431/501 by Weft, the connection closes, and the upstream sees nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFirst, rawExchange, respondWith, simpleConfig, startProxy, startRawUpstream, type Proxy, type RawUpstream } from './harness.js';

const H = 'Host: example.test\r\n';

/** [name, raw request, expected status, expected x-weft-error code] */
const CASES: [string, string, number, string][] = [
  ['Content-Length then Transfer-Encoding', `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'invalid_request'],
  ['Transfer-Encoding then Content-Length', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`, 400, 'invalid_request'],
  ['duplicate Content-Length, equal', `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`, 400, 'invalid_request'],
  ['duplicate Content-Length, different', `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`, 400, 'invalid_request'],
  ['Content-Length list "2, 2"', `POST / HTTP/1.1\r\n${H}Content-Length: 2, 2\r\n\r\nab`, 400, 'invalid_request'],
  ['Content-Length "+2"', `POST / HTTP/1.1\r\n${H}Content-Length: +2\r\n\r\nab`, 400, 'invalid_request'],
  ['Content-Length "-1"', `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`, 400, 'invalid_request'],
  ['Content-Length "0x10"', `POST / HTTP/1.1\r\n${H}Content-Length: 0x10\r\n\r\n`, 400, 'invalid_request'],
  ['Transfer-Encoding "chunked, gzip" (chunked not last)', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n`, 400, 'invalid_request'],
  ['Transfer-Encoding "gzip" only', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\nabc`, 400, 'invalid_request'],
  ['Transfer-Encoding "identity"', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\n\r\nabc`, 400, 'invalid_request'],
  ['Transfer-Encoding "chunked, chunked"', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n`, 400, 'invalid_request'],
  ['Transfer-Encoding sent twice', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'invalid_request'],
  ['unknown transfer coding "xchunked"', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`, 501, 'unsupported_transfer_encoding'],
  ['unknown transfer coding before chunked', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n`, 501, 'unsupported_transfer_encoding'],
  ['Transfer-Encoding on HTTP/1.0', `POST / HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, 400, 'invalid_request'],
  ['space before the colon', `POST / HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc`, 400, 'invalid_request'],
  ['obs-fold continuation line', `GET / HTTP/1.1\r\n${H}X-A: b\r\n c\r\n\r\n`, 400, 'invalid_request'],
  ['obs-fold hiding Transfer-Encoding', `POST / HTTP/1.1\r\n${H}X-A: b\r\n Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc`, 400, 'invalid_request'],
  ['NUL in a value', `GET / HTTP/1.1\r\n${H}X-A: b\x00c\r\n\r\n`, 400, 'invalid_request'],
  ['control character in a value', `GET / HTTP/1.1\r\n${H}X-A: b\x01c\r\n\r\n`, 400, 'invalid_request'],
  ['DEL in a value', `GET / HTTP/1.1\r\n${H}X-A: b\x7fc\r\n\r\n`, 400, 'invalid_request'],
  ['space in a header name', `GET / HTTP/1.1\r\n${H}X A: b\r\n\r\n`, 400, 'invalid_request'],
  ['whitespace before the first header', `GET / HTTP/1.1\r\n Transfer-Encoding: chunked\r\n${H}\r\n`, 400, 'invalid_request'],
  ['bare LF line endings', `GET / HTTP/1.1\n${H.replace('\r\n', '\n')}\n`, 400, 'invalid_request'],
  ['bare LF inside the header block', `GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n`, 400, 'invalid_request'],
  ['bare CR after the request line', `GET / HTTP/1.1\r${H}\r\n`, 400, 'invalid_request'],
  ['bare CR inside the header block', `GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n`, 400, 'invalid_request'],
  ['chunk size overflow', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF1\r\na\r\n0\r\n\r\n`, 400, 'invalid_request'],
  ['missing CRLF after chunk data', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabcX0\r\n\r\n`, 400, 'invalid_request'],
  ['non-hex chunk size', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`, 400, 'invalid_request'],
  ['HTTP/1.2', `GET / HTTP/1.2\r\n${H}\r\n`, 400, 'invalid_request'],
  ['HTTP/2.0 request line', `GET / HTTP/2.0\r\n${H}\r\n`, 400, 'invalid_request'],
  ['HTTP/0.9 request', `GET /\r\n\r\n`, 400, 'invalid_request'],
  ['missing Host on HTTP/1.1', `GET / HTTP/1.1\r\nX-A: b\r\n\r\n`, 400, 'invalid_request'],
  ['two Host headers', `GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`, 400, 'invalid_request'],
  ['Host with a space', `GET / HTTP/1.1\r\nHost: a b\r\n\r\n`, 400, 'invalid_request'],
  ['Host with userinfo', `GET / HTTP/1.1\r\nHost: user@a\r\n\r\n`, 400, 'invalid_request'],
  ['space in the request target', `GET /a b HTTP/1.1\r\n${H}\r\n`, 400, 'invalid_request'],
  ['lowercase method', `get / HTTP/1.1\r\n${H}\r\n`, 400, 'invalid_request'],
  ['request target not origin-form', `GET a/b HTTP/1.1\r\n${H}\r\n`, 400, 'invalid_request'],
  ['oversized header block', `GET / HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`, 431, 'request_header_fields_too_large'],
  ['too many header fields', `GET / HTTP/1.1\r\n${H}${Array.from({ length: 120 }, (_, i) => `X-${i}: v\r\n`).join('')}\r\n`, 431, 'request_header_fields_too_large'],
  ['oversized request line', `GET /${'a'.repeat(70 * 1024)} HTTP/1.1\r\n${H}\r\n`, 431, 'request_header_fields_too_large'],
];

describe('request smuggling and malformed requests', () => {
  let upstream: RawUpstream;
  let proxy: Proxy;
  let warmupBytes = 0;

  before(async () => {
    upstream = await startRawUpstream(respondWith('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    proxy = await startProxy(simpleConfig(upstream.port));
    // A pooled upstream connection exists, so a request head that reached the router would be written at once.
    const warm = await rawExchange(proxy.port, `GET /warm HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    assert.equal(parseFirst(warm.text).status, 200);
    warmupBytes = Buffer.concat(upstream.received).length;
    assert.ok(warmupBytes > 0);
  });

  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  for (const [name, request, status, code] of CASES) {
    test(`${name} -> ${status}`, async () => {
      const { text, closed } = await rawExchange(proxy.port, request);
      const res = parseFirst(text);
      assert.equal(res.status, status, `response: ${JSON.stringify(text.slice(0, 200))}`);
      assert.equal(res.headers.get('x-weft-error'), code);
      assert.equal(res.headers.get('connection'), 'close');
      assert.equal(res.headers.get('content-type'), 'application/json');
      const body = JSON.parse(res.body) as { error: string; message: string };
      assert.equal(body.error, code);
      assert.ok(body.message.length > 0);
      assert.ok(closed, 'the connection is closed after the error');
      assert.equal(Buffer.concat(upstream.received).length, warmupBytes, `nothing was forwarded: ${upstream.receivedText().slice(warmupBytes)}`);
    });
  }

  test('a malformed request after a valid one on the same connection is rejected, the valid one answered', async () => {
    const { text, closed } = await rawExchange(proxy.port, [`GET /ok HTTP/1.1\r\n${H}\r\n`, `POST / HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`]);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /HTTP\/1\.1 400 Bad Request\r\n/);
    assert.ok(closed);
    assert.ok(upstream.receivedText().includes('GET /ok HTTP/1.1'));
    assert.ok(!upstream.receivedText().includes('POST / HTTP/1.1'));
  });

  test('a header block split across many small writes still hits the limit', async () => {
    const parts = [`GET / HTTP/1.1\r\n${H}`];
    for (let i = 0; i < 80; i++) parts.push(`X-Pad-${i}: ${'b'.repeat(1000)}\r\n`);
    const { text } = await rawExchange(proxy.port, parts);
    assert.equal(parseFirst(text).status, 431);
  });

  test('endless whitespace inside a header line is bounded by the header limit', async () => {
    const parts = [`GET / HTTP/1.1\r\n${H}X-A:`];
    for (let i = 0; i < 20; i++) parts.push(' '.repeat(8192));
    const { text } = await rawExchange(proxy.port, parts);
    assert.equal(parseFirst(text).status, 431);
  });
});
