// The llhttp parser wrapper: a corpus of requests and responses, split at every byte, plus random mutations.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CallbackAction, HeadAction, ParseStatus, type H1Head, type H1Parser, type H1ParserHandler } from './h1-parser.js';
import { createLlhttpParser } from './h1-parser-llhttp.js';

type Event = string;

/** Records parse events as strings; body chunks are merged so that different splits compare equal. */
class Recorder implements H1ParserHandler {
  events: Event[] = [];
  headAction: (head: H1Head) => number = () => HeadAction.Body;
  pauseOnComplete = false;

  onHead(head: H1Head): number {
    this.events.push(`head ${head.method}${head.url} ${head.status} ${head.versionMajor}.${head.versionMinor} ka=${head.keepAlive} up=${head.upgrade} ${JSON.stringify(head.headers)}`);
    return this.headAction(head);
  }
  onBody(chunk: Buffer): number {
    const last = this.events[this.events.length - 1];
    if (last?.startsWith('body ')) this.events[this.events.length - 1] = last + chunk.toString('latin1');
    else this.events.push(`body ${chunk.toString('latin1')}`);
    return CallbackAction.Continue;
  }
  onMessageComplete(trailers: string[] | undefined): number {
    this.events.push(`done ${trailers ? JSON.stringify(trailers) : ''}`);
    return this.pauseOnComplete ? CallbackAction.Pause : CallbackAction.Continue;
  }
}

const LIMITS = { maxHeaderBytes: 8192, maxHeaderCount: 50 };

/** Feeds `input` in the given chunk sizes; resumes after pauses; returns events and the final status. */
function run(kind: 'request' | 'response', input: Buffer, cuts: number[], setup?: (r: Recorder) => void): { events: Event[]; status: string; parser: H1Parser } {
  const r = new Recorder();
  setup?.(r);
  const p = createLlhttpParser(kind, r, LIMITS);
  let status = 'ok';
  let offset = 0;
  const bounds = [...cuts.filter((c) => c > 0 && c < input.length), input.length];
  try {
    for (const end of bounds) {
      let chunk = input.subarray(offset, end);
      offset = end;
      for (;;) {
        const s = p.execute(chunk);
        if (s === ParseStatus.Paused) {
          p.resume();
          chunk = chunk.subarray(p.stopOffset);
          if (chunk.length === 0) break;
          continue;
        }
        if (s === ParseStatus.Tunnel) {
          status = `tunnel+${input.subarray(offset - chunk.length + p.stopOffset).toString('latin1')}`;
          return { events: r.events, status, parser: p };
        }
        if (s === ParseStatus.Error) {
          status = `error ${p.error?.kind}`;
          return { events: r.events, status, parser: p };
        }
        break;
      }
    }
  } finally {
    p.destroy();
  }
  return { events: r.events, status, parser: p };
}

const REQUESTS: [string, string, Event[]][] = [
  ['simple GET', 'GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n', ['head GET/a?b=c 0 1.1 ka=true up=false ["host","x"]', 'done ']],
  [
    'header names lowercased, values trimmed',
    'GET / HTTP/1.1\r\nHost:  x \t\r\nX-Mixed-Case:\tv v \r\nEmpty:\r\n\r\n',
    ['head GET/ 0 1.1 ka=true up=false ["host","x","x-mixed-case","v v","empty",""]', 'done '],
  ],
  ['Content-Length body', 'POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello', ['head POST/p 0 1.1 ka=true up=false ["host","x","content-length","5"]', 'body hello', 'done ']],
  [
    'chunked body with extension and trailers',
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\nY-T:  2 \r\n\r\n',
    ['head POST/ 0 1.1 ka=true up=false ["host","x","transfer-encoding","chunked"]', 'body abcde', 'done ["x-t","1","y-t","2"]'],
  ],
  ['HTTP/1.0 defaults to close', 'GET / HTTP/1.0\r\n\r\n', ['head GET/ 0 1.0 ka=false up=false []', 'done ']],
  ['HTTP/1.0 keep-alive', 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', ['head GET/ 0 1.0 ka=true up=false ["connection","keep-alive"]', 'done ']],
  ['Connection: close', 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', ['head GET/ 0 1.1 ka=false up=false ["host","x","connection","close"]', 'done ']],
  [
    'pipelined requests',
    'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n',
    ['head GET/1 0 1.1 ka=true up=false ["host","x"]', 'done ', 'head GET/2 0 1.1 ka=true up=false ["host","x"]', 'done '],
  ],
  ['absolute-form target', 'GET http://h.test:8080/p?q HTTP/1.1\r\nHost: x\r\n\r\n', ['head GET/http://h.test:8080/p?q 0 1.1 ka=true up=false ["host","x"]'.replace('GET/http', 'GEThttp'), 'done ']],
  ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', ['head OPTIONS* 0 1.1 ka=true up=false ["host","x"]', 'done ']],
  ['obs-text in a value', 'GET / HTTP/1.1\r\nHost: x\r\nX: caf\xe9\r\n\r\n', ['head GET/ 0 1.1 ka=true up=false ["host","x","x","caf\xe9"]', 'done ']],
];

describe('llhttp parser wrapper', () => {
  for (const [name, text, expected] of REQUESTS) {
    test(`request: ${name} (whole, and split at every byte)`, () => {
      const input = Buffer.from(text, 'latin1');
      const whole = run('request', input, []);
      assert.equal(whole.status, 'ok');
      assert.deepEqual(whole.events, expected);
      for (let cut = 1; cut < input.length; cut++) assert.deepEqual(run('request', input, [cut]).events, expected, `split at ${cut}`);
      assert.deepEqual(run('request', input, Array.from({ length: input.length }, (_, i) => i)).events, expected, 'byte by byte');
    });
  }

  test('pausing after a message stops right after it', () => {
    const input = Buffer.from('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');
    const r = new Recorder();
    r.pauseOnComplete = true;
    const p = createLlhttpParser('request', r, LIMITS);
    assert.equal(p.execute(input), ParseStatus.Paused);
    assert.equal(input.subarray(p.stopOffset).toString('latin1'), 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(r.events.length, 2);
    p.resume();
    assert.equal(p.execute(input.subarray(p.stopOffset)), ParseStatus.Paused);
    assert.equal(r.events.length, 4);
    p.destroy();
  });

  test('Upgrade and CONNECT stop after the head and hand back the tunnel bytes', () => {
    const up = run('request', Buffer.from('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nRAW', 'latin1'), []);
    assert.equal(up.status, 'tunnel+RAW');
    assert.match(up.events[0]!, /up=true/);
    const connect = run('request', Buffer.from('CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\nTLS', 'latin1'), []);
    assert.equal(connect.status, 'tunnel+TLS');
    assert.match(connect.events[0]!, /^head CONNECTh:443/);
  });

  test('header limits: bytes and count, including across chunks', () => {
    const big = Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(9000)}\r\n\r\n`, 'latin1');
    assert.equal(run('request', big, []).status, 'error header_overflow');
    assert.equal(run('request', big, Array.from({ length: 40 }, (_, i) => i * 250)).status, 'error header_overflow');
    const many = Buffer.from(`GET / HTTP/1.1\r\n${Array.from({ length: 51 }, (_, i) => `H${i}: v\r\n`).join('')}\r\n`, 'latin1');
    assert.equal(run('request', many, []).status, 'error header_overflow');
    const fifty = Buffer.from(`GET / HTTP/1.1\r\n${Array.from({ length: 50 }, (_, i) => `H${i}: v\r\n`).join('')}\r\n`, 'latin1');
    assert.equal(run('request', fifty, []).status, 'ok');
    const trailers = Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n${Array.from({ length: 60 }, (_, i) => `T${i}: v\r\n`).join('')}\r\n`, 'latin1');
    assert.equal(run('request', trailers, []).status, 'error header_overflow');
  });

  test('a handler rejecting the head stops parsing with kind "rejected"', () => {
    const r = run('request', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n', 'latin1'), [], (rec) => {
      rec.headAction = () => HeadAction.Reject;
    });
    assert.equal(r.status, 'error rejected');
    assert.equal(r.events.length, 1);
  });

  test('a handler that throws makes execute throw, and the parser stays unusable', () => {
    const r = new Recorder();
    r.onHead = () => {
      throw new Error('boom');
    };
    const p = createLlhttpParser('request', r, LIMITS);
    assert.throws(() => p.execute(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), /boom/);
    assert.equal(p.execute(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), ParseStatus.Error);
    p.destroy();
    // Another parser still works: the shared Wasm instance is not left in a callback.
    assert.equal(run('request', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), []).status, 'ok');
  });

  test('destroying from inside a callback stops the parse and frees the parser afterwards', () => {
    const r = new Recorder();
    let p: H1Parser | undefined;
    r.onHead = () => {
      p!.destroy();
      return HeadAction.Body;
    };
    p = createLlhttpParser('request', r, LIMITS);
    assert.equal(p.execute(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n')), ParseStatus.Error);
    assert.equal(p.execute(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), ParseStatus.Error);
  });

  describe('responses', () => {
    test('1xx responses come before the final one; HEAD-style NoBody skips the body', () => {
      const input = Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 'latin1');
      const r = run('response', input, [], (rec) => {
        rec.headAction = (h) => (h.status < 200 ? HeadAction.NoBody : HeadAction.Body);
      });
      assert.deepEqual(r.events, [
        'head  100 1.1 ka=true up=false []',
        'done ',
        'head  103 1.1 ka=true up=false ["link","</a>"]',
        'done ',
        'head  200 1.1 ka=true up=false ["content-length","2"]',
        'body ok',
        'done ',
      ]);
      const head = run('response', Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n', 'latin1'), [], (rec) => {
        rec.headAction = () => HeadAction.NoBody;
      });
      assert.equal(head.events.length, 4);
    });

    test('a close-delimited body ends at finish()', () => {
      const r = new Recorder();
      const p = createLlhttpParser('response', r, LIMITS);
      assert.equal(p.execute(Buffer.from('HTTP/1.1 200 OK\r\n\r\nabc')), ParseStatus.Ok);
      assert.equal(p.finish(), ParseStatus.Ok);
      assert.deepEqual(r.events.slice(1), ['body abc', 'done ']);
      p.destroy();
    });

    test('a truncated body is an error at finish()', () => {
      const r = new Recorder();
      const p = createLlhttpParser('response', r, LIMITS);
      p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'));
      assert.equal(p.finish(), ParseStatus.Error);
      p.destroy();
    });

    for (const [name, text] of [
      ['CL+TE', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
      ['duplicate CL', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'],
      ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
      ['missing CRLF after chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n'],
      ['bad status line', 'HTTP/1.1 2000 OK\r\n\r\n'],
    ] as const) {
      test(`malformed response: ${name}`, () => {
        assert.match(run('response', Buffer.from(text, 'latin1'), []).status, /^error/);
      });
    }
  });

  test('fuzz: mutated requests never throw, and parse the same whole or split', () => {
    const seeds = [
      ...REQUESTS.map(([, t]) => t),
      'POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nxx',
    ].map((t) => Buffer.from(t, 'latin1'));
    let seed = 0x2545f491;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const specials = [0, 9, 10, 13, 32, 44, 58, 127, 255, 0x30, 0x61];
    for (let iter = 0; iter < 3000; iter++) {
      const base = seeds[rand(seeds.length)]!;
      const b = Buffer.from(base);
      const edits = 1 + rand(3);
      let input = b;
      for (let e = 0; e < edits; e++) {
        const pos = rand(input.length);
        const op = rand(3);
        const byte = rand(2) ? specials[rand(specials.length)]! : rand(256);
        if (op === 0) input[pos] = byte;
        else if (op === 1) input = Buffer.concat([input.subarray(0, pos), Buffer.from([byte]), input.subarray(pos)]);
        else input = Buffer.concat([input.subarray(0, pos), input.subarray(pos + 1)]);
      }
      const whole = run('request', input, []);
      const cuts = [rand(input.length), rand(input.length)].sort((x, y) => x - y);
      const split = run('request', input, cuts);
      assert.deepEqual(split.events, whole.events, `input ${JSON.stringify(input.toString('latin1'))} cuts ${cuts}`);
      assert.equal(split.status.split('+')[0], whole.status.split('+')[0]);
    }
  });
});
