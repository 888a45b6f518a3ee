// Micro benchmark of HTTP/1 header handling: llhttp parsing, hop-by-hop filtering into a HeaderMap, head serialization.
import type { Bench } from 'tinybench';
import { CallbackAction, HeadAction, type H1Head, type H1ParserHandler } from '../../proxy/http/h1-parser.js';
import { createLlhttpParser } from '../../proxy/http/h1-parser-llhttp.js';
import {
  FIELDS_SKIP_CONTENT_LENGTH,
  FIELDS_SKIP_HOST,
  copyEndToEnd,
  fieldLines,
  httpDate,
  requestFraming,
  responseFraming,
  statusLine,
} from '../../proxy/http/h1-wire.js';
import { HeaderMap } from '../../proxy/http/header-map.js';

/** A browser-like request head: 12 fields, ~500 bytes. */
const REQUEST = Buffer.from(
  'GET /api/v1/items/42?expand=owner&fields=name,price HTTP/1.1\r\n' +
    'Host: api.example.com\r\n' +
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n' +
    'Accept: application/json, text/plain, */*\r\n' +
    'Accept-Language: en-US,en;q=0.9\r\n' +
    'Accept-Encoding: gzip, deflate, br\r\n' +
    'Connection: keep-alive\r\n' +
    'Cookie: session=0123456789abcdef0123456789abcdef; theme=dark\r\n' +
    'Referer: https://app.example.com/items\r\n' +
    'X-Request-Id: 6f1c2a3e-9d4b-4e8f-a1b2-c3d4e5f60718\r\n' +
    'X-Forwarded-For: 203.0.113.9\r\n' +
    'Cache-Control: no-cache\r\n' +
    'Pragma: no-cache\r\n\r\n',
  'latin1',
);

const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\n' +
    'Content-Type: application/json; charset=utf-8\r\n' +
    'Content-Length: 27\r\n' +
    'Cache-Control: private, max-age=0\r\n' +
    'ETag: "33a64df551425fcc55e4d42a148795d9f25f89d4"\r\n' +
    'Vary: Accept-Encoding\r\n' +
    'Server: upstream\r\n' +
    'Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n' +
    '{"id":42,"name":"widget"}\r\n',
  'latin1',
);

class Sink implements H1ParserHandler {
  head: H1Head | undefined;
  onHead(head: H1Head): number {
    this.head = head;
    return HeadAction.Body;
  }
  onBody(): number {
    return CallbackAction.Continue;
  }
  onMessageComplete(): number {
    return CallbackAction.Continue;
  }
}

export default function httpCodecBench(bench: Bench): void {
  const limits = { maxHeaderBytes: 64 * 1024, maxHeaderCount: 100 };
  const reqSink = new Sink();
  const reqParser = createLlhttpParser('request', reqSink, limits);
  const resSink = new Sink();
  const resParser = createLlhttpParser('response', resSink, limits);
  reqParser.execute(REQUEST);
  resParser.execute(RESPONSE);
  const head = reqSink.head!;
  const responseMap = new HeaderMap(copyEndToEnd(resSink.head!.headers, [':status', '200'], false));
  const requestMap = new HeaderMap(copyEndToEnd(head.headers, [':method', 'GET', ':scheme', 'http', ':authority', 'api.example.com', ':path', head.url], false));

  bench
    .add('llhttp: parse a 12-field request head', () => {
      reqParser.execute(REQUEST);
    })
    .add('llhttp: parse a response head and small body', () => {
      resParser.execute(RESPONSE);
    })
    .add('request head -> HeaderMap (framing check, hop-by-hop stripped)', () => {
      requestFraming(head.headers, false);
      const list = [':method', head.method, ':scheme', 'http', ':authority', 'api.example.com', ':path', head.url];
      return new HeaderMap(copyEndToEnd(head.headers, list, false));
    })
    .add('response head -> HeaderMap (framing check, hop-by-hop stripped)', () => {
      responseFraming(resSink.head!.headers, 'GET', 200);
      return new HeaderMap(copyEndToEnd(resSink.head!.headers, [':status', '200'], false));
    })
    .add('serialize an upstream request head', () => `GET ${head.url} HTTP/1.1\r\nhost: api.example.com\r\n${fieldLines(requestMap.list, FIELDS_SKIP_CONTENT_LENGTH | FIELDS_SKIP_HOST)}\r\n`)
    .add('serialize a downstream response head', () => `${statusLine(200, false)}${fieldLines(responseMap.list, 0)}date: ${httpDate()}\r\n\r\n`);
}
