// HTTP/1 wire helpers: framing decisions, hop-by-hop copying, field and authority checks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { copyEndToEnd, requestHeadProblem, isFramingError, isValidAuthority, isValidFieldName, isValidFieldValue, parseContentLength, requestFraming, responseFraming, statusLine } from './h1-wire.js';

describe('requestFraming', () => {
  const cases: [string, string[], boolean, string][] = [
    ['no body', [], false, 'none/0'],
    ['Content-Length', ['content-length', '12'], false, 'length/12'],
    ['Content-Length 0', ['content-length', '0'], false, 'none/0'],
    ['chunked', ['transfer-encoding', 'chunked'], false, 'chunked/0'],
    ['Chunked (case)', ['transfer-encoding', 'ChUnKeD'], false, 'chunked/0'],
    ['duplicate CL', ['content-length', '1', 'content-length', '1'], false, '400'],
    ['CL and TE', ['content-length', '1', 'transfer-encoding', 'chunked'], false, '400'],
    ['TE twice', ['transfer-encoding', 'chunked', 'transfer-encoding', 'chunked'], false, '400'],
    ['TE on 1.0', ['transfer-encoding', 'chunked'], true, '400'],
    ['gzip, chunked (known but unsupported)', ['transfer-encoding', 'gzip, chunked'], false, '501'],
    ['chunked, gzip', ['transfer-encoding', 'chunked, gzip'], false, '400'],
    ['xchunked', ['transfer-encoding', 'xchunked'], false, '501'],
    ['bad CL', ['content-length', '1e3'], false, '400'],
    ['signed CL', ['content-length', '+1'], false, '400'],
    ['empty CL', ['content-length', ''], false, '400'],
    ['huge CL', ['content-length', '9999999999999999'], false, '400'],
  ];
  for (const [name, fields, http10, expected] of cases) {
    test(name, () => {
      const f = requestFraming(fields, http10);
      assert.equal(isFramingError(f) ? String(f.status) : `${f.kind}/${f.length}`, expected);
    });
  }
});

describe('responseFraming', () => {
  const cases: [string, string[], string, number, string][] = [
    ['HEAD ignores CL', ['content-length', '10'], 'HEAD', 200, 'none'],
    ['204', [], 'GET', 204, 'none'],
    ['304 with CL', ['content-length', '10'], 'GET', 304, 'none'],
    ['CL', ['content-length', '10'], 'GET', 200, 'length'],
    ['chunked', ['transfer-encoding', 'chunked'], 'GET', 200, 'chunked'],
    ['gzip only: until close', ['transfer-encoding', 'gzip'], 'GET', 200, 'close'],
    ['nothing: until close', [], 'GET', 200, 'close'],
    ['CL+TE', ['content-length', '1', 'transfer-encoding', 'chunked'], 'GET', 200, 'error'],
    ['duplicate CL', ['content-length', '1', 'content-length', '1'], 'GET', 200, 'error'],
    ['duplicate CL on HEAD', ['content-length', '1', 'content-length', '2'], 'HEAD', 200, 'error'],
  ];
  for (const [name, fields, method, status, expected] of cases) {
    test(name, () => {
      const f = responseFraming(fields, method, status);
      assert.equal(typeof f === 'string' ? 'error' : f.kind, expected);
    });
  }
});

describe('copyEndToEnd', () => {
  test('drops hop-by-hop fields, Host and fields named in Connection; keeps te: trailers', () => {
    const out = copyEndToEnd(
      ['host', 'h', 'connection', 'close, X-Foo', 'x-foo', '1', 'keep-alive', 'x', 'te', 'trailers', 'x-bar', '2', 'upgrade', 'websocket', 'transfer-encoding', 'chunked', 'proxy-connection', 'x', 'trailer', 'y'],
      [],
      false,
    );
    assert.deepEqual(out, ['te', 'trailers', 'x-bar', '2']);
  });
  test('keeps upgrade for upgrades, even when Connection names it', () => {
    assert.deepEqual(copyEndToEnd(['connection', 'upgrade', 'upgrade', 'websocket', 'te', 'gzip'], [], true), ['upgrade', 'websocket']);
  });
});

describe('field and authority checks', () => {
  test('authorities', () => {
    for (const ok of ['example.com', 'example.com:8080', '127.0.0.1', '[::1]:443', '[2001:db8::1]', 'a_b-c.d', ''])
      assert.ok(isValidAuthority(ok), ok);
    for (const bad of ['a b', 'user@host', 'host/path', 'host:port', '[::1', 'host:123456', 'h\tx'])
      assert.ok(!isValidAuthority(bad), bad);
  });
  test('field names and values', () => {
    assert.ok(isValidFieldName('x-custom_header.1'));
    for (const bad of ['', 'a b', 'a:b', 'a\r', 'é']) assert.ok(!isValidFieldName(bad), bad);
    assert.ok(isValidFieldValue('a\tb é'));
    for (const bad of ['a\rb', 'a\nb', 'a\0b', 'a\x7fb', 'a\u0100']) assert.ok(!isValidFieldValue(bad), JSON.stringify(bad));
  });
  test('parseContentLength', () => {
    assert.equal(parseContentLength('0'), 0);
    assert.equal(parseContentLength('123456789012345'), 123456789012345);
    assert.equal(parseContentLength('1234567890123456'), -1);
    assert.equal(parseContentLength(' 1'), -1);
  });
  test('status lines', () => {
    assert.equal(statusLine(200, false), 'HTTP/1.1 200 OK\r\n');
    assert.equal(statusLine(431, true), 'HTTP/1.0 431 Request Header Fields Too Large\r\n');
    assert.equal(statusLine(599, false), 'HTTP/1.1 599 Unknown\r\n');
  });
});

describe('requestHeadProblem', () => {
  test('valid heads', () => {
    assert.equal(requestHeadProblem('GET', '/a?b=c', 'example.com:8080'), undefined);
    assert.equal(requestHeadProblem('OPTIONS', '*', 'h'), undefined);
    assert.equal(requestHeadProblem('CONNECT', undefined, 'h:443'), undefined);
    assert.equal(requestHeadProblem('GET', '/caf\xe9', undefined), undefined);
  });
  test('heads a filter broke', () => {
    assert.equal(requestHeadProblem('GET', '/a b', 'h'), 'invalid :path');
    assert.equal(requestHeadProblem('GET', '/a\r\nX-Injected: 1', 'h'), 'invalid :path');
    assert.equal(requestHeadProblem('GET', '', 'h'), 'invalid :path');
    assert.equal(requestHeadProblem('GET', undefined, 'h'), 'invalid :path');
    assert.equal(requestHeadProblem('G ET', '/', 'h'), 'invalid :method');
    assert.equal(requestHeadProblem('GET', '/', 'h\r\nx: y'), 'invalid :authority');
    assert.equal(requestHeadProblem('CONNECT', undefined, ''), 'CONNECT without :authority');
  });
});
