// FilterManager semantics with small built-in test filters, a recording encoder and a recording terminal.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Logging } from '../../lib/log.js';
import type { CompiledRoute } from '../router/index.js';
import type { BodyBuffer } from './body-buffer.js';
import type { ResetReason, ResponseEncoder } from './codec.js';
import { FilterAction, type HttpFilter, type HttpFilterCallbacks, type HttpFilterFactory } from './filter.js';
import { FilterManager, type StreamContext, type TerminalStage } from './filter-manager.js';
import { HeaderMap } from './header-map.js';
import { StreamInfoImpl } from './stream-info-impl.js';

const { Continue, Stop } = FilterAction;

class RecordingEncoder implements ResponseEncoder {
  events: string[] = [];
  readDisables = 0;
  isUpgrade = false;
  writable = true;
  encode1xx(h: HeaderMap): void {
    this.events.push(`1xx ${h.get(':status')}`);
  }
  encodeHeaders(h: HeaderMap, end: boolean): void {
    this.events.push(`headers ${h.get(':status')}${end ? ' end' : ''}`);
    this.headers = h;
  }
  headers: HeaderMap | undefined;
  body = '';
  encodeData(chunk: Buffer, end: boolean): boolean {
    this.body += chunk.toString();
    this.events.push(`data ${chunk.toString()}${end ? ' end' : ''}`);
    return this.writable;
  }
  encodeTrailers(t: HeaderMap): void {
    this.events.push(`trailers ${JSON.stringify(t.list)}`);
  }
  reset(reason: ResetReason): void {
    this.events.push(`reset ${reason}`);
  }
  readDisable(disable: boolean): void {
    this.readDisables += disable ? 1 : -1;
  }
}

class RecordingTerminal implements TerminalStage {
  events: string[] = [];
  upstreamDisables = 0;
  aborted = 0;
  constructor(readonly fm: FilterManager) {}
  onRequestHeaders(h: HeaderMap, end: boolean): void {
    this.events.push(`headers ${h.get(':path')}${end ? ' end' : ''}`);
  }
  onRequestData(chunk: Buffer, end: boolean): void {
    this.events.push(`data ${chunk.toString()}${end ? ' end' : ''}`);
  }
  onRequestTrailers(t: HeaderMap): void {
    this.events.push(`trailers ${JSON.stringify(t.list)}`);
  }
  readDisableUpstream(disable: boolean): void {
    this.upstreamDisables += disable ? 1 : -1;
  }
  abort(): void {
    this.aborted++;
  }
}

/** A filter whose callbacks run a script: each returns what the script says and logs the call. */
interface Script {
  name: string;
  log: string[];
  reqHeaders?: (h: HeaderMap, end: boolean, cb: HttpFilterCallbacks) => FilterAction;
  reqBody?: (b: BodyBuffer, end: boolean, cb: HttpFilterCallbacks) => FilterAction;
  reqTrailers?: (t: HeaderMap, cb: HttpFilterCallbacks) => FilterAction;
  resHeaders?: (h: HeaderMap, end: boolean, cb: HttpFilterCallbacks) => FilterAction;
  resBody?: (b: BodyBuffer, end: boolean, cb: HttpFilterCallbacks) => FilterAction;
  resTrailers?: (t: HeaderMap, cb: HttpFilterCallbacks) => FilterAction;
  complete?: () => void;
  callbacks?: HttpFilterCallbacks;
  maxBufferBytes?: number;
}

function scripted(s: Script): HttpFilterFactory {
  return {
    name: s.name,
    ...(s.maxBufferBytes !== undefined ? { maxBufferBytes: s.maxBufferBytes } : {}),
    create(cb: HttpFilterCallbacks): HttpFilter {
      s.callbacks = cb;
      const log = (e: string) => s.log.push(`${s.name}:${e}`);
      return {
        onRequestHeaders: (h, end) => (log(`reqHeaders${end ? ' end' : ''}`), s.reqHeaders?.(h, end, cb) ?? Continue),
        onRequestBody: (b, end) => (log(`reqBody ${b.toBuffer().toString()}${end ? ' end' : ''}`), s.reqBody?.(b, end, cb) ?? Continue),
        onRequestTrailers: (t) => (log('reqTrailers'), s.reqTrailers?.(t, cb) ?? Continue),
        onResponseHeaders: (h, end) => (log(`resHeaders ${h.get(':status')}${end ? ' end' : ''}`), s.resHeaders?.(h, end, cb) ?? Continue),
        onResponseBody: (b, end) => (log(`resBody ${b.toBuffer().toString()}${end ? ' end' : ''}`), s.resBody?.(b, end, cb) ?? Continue),
        onResponseTrailers: (t) => (log('resTrailers'), s.resTrailers?.(t, cb) ?? Continue),
        onStreamComplete: () => {
          log('complete');
          s.complete?.();
        },
      };
    },
  };
}

interface Setup {
  fm: FilterManager;
  encoder: RecordingEncoder;
  terminal: () => RecordingTerminal;
  completed: () => number;
  log: string[];
  routeMatches: () => number;
}

function setup(opts: { filters?: Omit<Script, 'log'>[]; routeFilters?: Omit<Script, 'log'>[]; maxBufferBytes?: number; route?: Partial<CompiledRoute> | null } = {}): Setup {
  const log: string[] = [];
  const factories = (opts.filters ?? []).map((f) => scripted(Object.assign(f, { log })));
  const routeFactories = (opts.routeFilters ?? []).map((f) => scripted(Object.assign(f, { log })));
  let terminal: RecordingTerminal | undefined;
  let completed = 0;
  let routeMatches = 0;
  const route = opts.route === null ? undefined : ({ name: 'r', virtualHost: 'v', filterChain: routeFactories.length ? 'rc' : undefined, ...opts.route } as CompiledRoute);
  const ctx: StreamContext = {
    logger: new Logging({ level: 'silent' }).logger('http'),
    maxBufferBytes: opts.maxBufferBytes ?? 1024,
    listenerFilters: factories,
    prepareRequest: () => {},
    matchRoute: () => {
      routeMatches++;
      return route;
    },
    routeFilters: () => routeFactories,
    createTerminal: (fm) => (terminal = new RecordingTerminal(fm)),
    streamComplete: () => {
      completed++;
    },
  };
  const encoder = new RecordingEncoder();
  const info = new StreamInfoImpl({ id: 1, listenerName: 'l', remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2 }, 'HTTP/1.1');
  const fm = new FilterManager(info, encoder, ctx);
  return { fm, encoder, terminal: () => terminal!, completed: () => completed, log, routeMatches: () => routeMatches };
}

const req = (path = '/p', extra: string[] = []) => new HeaderMap([':method', 'POST', ':scheme', 'http', ':authority', 'a', ':path', path, ...extra]);
const res = (status = 200, extra: string[] = []) => new HeaderMap([':status', String(status), ...extra]);
const buf = (s: string) => Buffer.from(s);

describe('FilterManager', () => {
  test('without filters everything flows straight through, and the stream completes once', () => {
    const s = setup();
    s.fm.decodeHeaders(req(), false);
    s.fm.decodeData(buf('ab'), false);
    s.fm.decodeData(buf('c'), true);
    assert.deepEqual(s.terminal().events, ['headers /p', 'data ab', 'data c end']);
    s.fm.encodeHeaders(res(), false);
    s.fm.encodeData(buf('ok'), true);
    assert.deepEqual(s.encoder.events, ['headers 200', 'data ok end']);
    assert.equal(s.completed(), 1);
  });

  test('request callbacks run in order, response callbacks in reverse', () => {
    const s = setup({ filters: [{ name: 'A' }, { name: 'B' }] });
    s.fm.decodeHeaders(req(), false);
    s.fm.decodeData(buf('x'), true);
    s.fm.encodeHeaders(res(), false);
    s.fm.encodeData(buf('y'), true);
    assert.deepEqual(s.log, [
      'A:reqHeaders',
      'B:reqHeaders',
      'A:reqBody x end',
      'B:reqBody x end',
      'B:resHeaders 200',
      'A:resHeaders 200',
      'B:resBody y end',
      'A:resBody y end',
      'A:complete',
      'B:complete',
    ]);
  });

  test('Stop on request headers holds the whole request; body and trailers wait, then flow after continueRequest', () => {
    const a: Omit<Script, 'log'> = { name: 'A', reqHeaders: () => Stop };
    const s = setup({ filters: [a, { name: 'B' }] });
    s.fm.decodeHeaders(req(), false);
    s.fm.decodeData(buf('part1-'), false);
    s.fm.decodeData(buf('part2'), false);
    s.fm.decodeTrailers(new HeaderMap(['x-t', '1']));
    assert.deepEqual(s.log, ['A:reqHeaders'], 'A sees nothing more, B nothing at all');
    assert.equal(s.terminal(), undefined);
    assert.equal(s.fm.requestHeaders?.get(':path'), '/p');
    assert.equal(a.callbacks!.bufferedRequestBody()?.toBuffer().toString(), 'part1-part2');
    a.callbacks!.continueRequest();
    assert.deepEqual(s.log, ['A:reqHeaders', 'B:reqHeaders', 'A:reqBody part1-part2', 'B:reqBody part1-part2', 'A:reqTrailers', 'B:reqTrailers']);
    assert.deepEqual(s.terminal().events, ['headers /p', 'data part1-part2', 'trailers ["x-t","1"]']);
    // A second continue is a no-op.
    a.callbacks!.continueRequest();
    assert.equal(s.terminal().events.length, 3);
  });

  test('headers changed while a filter holds them are what the next filters and the terminal see', () => {
    const a: Omit<Script, 'log'> = { name: 'A', reqHeaders: () => Stop };
    const s = setup({ filters: [a] });
    s.fm.decodeHeaders(req('/old'), true);
    a.callbacks!.requestHeaders()!.set(':path', '/new');
    a.callbacks!.continueRequest();
    assert.deepEqual(s.terminal().events, ['headers /new end']);
  });

  test('body waiting behind held headers pauses reading above the buffer limit and resumes on continue', () => {
    const a: Omit<Script, 'log'> = { name: 'A', reqHeaders: () => Stop };
    const s = setup({ filters: [a], maxBufferBytes: 10 });
    s.fm.decodeHeaders(req(), false);
    s.fm.decodeData(buf('123456'), false);
    assert.equal(s.encoder.readDisables, 0);
    s.fm.decodeData(buf('7890ab'), false);
    assert.equal(s.encoder.readDisables, 1, 'reading paused (watermark), no 413');
    a.callbacks!.continueRequest();
    assert.equal(s.encoder.readDisables, 0);
    assert.deepEqual(s.terminal().events, ['headers /p', 'data 1234567890ab']);
  });

  test('Stop on request body buffers: the filter sees the whole body each time and may rewrite it', () => {
    const s = setup({
      filters: [
        {
          name: 'A',
          reqBody: (b, end) => {
            if (!end) return Stop;
            const text = b.toBuffer().toString().toUpperCase();
            b.drain();
            b.append(Buffer.from(text));
            return Continue;
          },
        },
      ],
    });
    s.fm.decodeHeaders(req(), false);
    s.fm.decodeData(buf('ab'), false);
    s.fm.decodeData(buf('cd'), false);
    s.fm.decodeData(buf('ef'), true);
    assert.deepEqual(s.log.slice(0, 4), ['A:reqHeaders', 'A:reqBody ab', 'A:reqBody abcd', 'A:reqBody abcdef end']);
    assert.deepEqual(s.terminal().events, ['headers /p', 'data ABCDEF end']);
  });

  test('request body buffered beyond the limit answers 413 through the earlier filters only', () => {
    const s = setup({ filters: [{ name: 'A' }, { name: 'B', reqBody: () => Stop }, { name: 'C' }], maxBufferBytes: 8 });
    s.fm.decodeHeaders(req(), false);
    s.fm.decodeData(buf('12345'), false);
    s.fm.decodeData(buf('67890'), false);
    assert.equal(s.encoder.headers?.get(':status'), '413');
    assert.equal(s.encoder.headers?.get('x-weft-error'), 'payload_too_large');
    assert.match(s.encoder.body, /"error":"payload_too_large"/);
    assert.ok(s.log.includes('A:resHeaders 413'));
    assert.ok(!s.log.some((l) => l.startsWith('B:res') || l.startsWith('C:res')));
    assert.equal(s.terminal().aborted, 1);
    assert.equal(s.completed(), 1);
    // Later request bytes are dropped.
    s.fm.decodeData(buf('more'), true);
    assert.deepEqual(s.terminal().events, ['headers /p', 'data 12345'].slice(0, s.terminal().events.length));
  });

  test("a filter factory's own buffer limit overrides the listener's", () => {
    const roomy = setup({ filters: [{ name: 'A', reqBody: (_b, end) => (end ? Continue : Stop), maxBufferBytes: 100 }], maxBufferBytes: 8 });
    roomy.fm.decodeHeaders(req(), false);
    roomy.fm.decodeData(buf('0123456789'), false);
    roomy.fm.decodeData(buf('abcdefghij'), true);
    assert.deepEqual(roomy.terminal().events, ['headers /p', 'data 0123456789abcdefghij end']);
    const tight = setup({ filters: [{ name: 'A', reqBody: () => Stop, maxBufferBytes: 4 }], maxBufferBytes: 1000 });
    tight.fm.decodeHeaders(req(), false);
    tight.fm.decodeData(buf('12345'), false);
    assert.equal(tight.encoder.headers?.get(':status'), '413');
    assert.match(tight.encoder.body, /4-byte buffer limit/);
  });

  test('a local reply from a request callback goes through earlier filters; onStreamComplete waits for the callback to return', () => {
    let insideCallback = false;
    let completeWhileInside = false;
    const b: Omit<Script, 'log'> = {
      name: 'B',
      reqHeaders: (_h, _e, cb) => {
        insideCallback = true;
        cb.sendLocalReply({ status: 403, body: 'denied', headers: [['x-why', 'policy']], details: 'test_denied' });
        insideCallback = false;
        return Stop;
      },
      complete: () => {
        completeWhileInside ||= insideCallback;
      },
    };
    const s = setup({ filters: [{ name: 'A' }, b, { name: 'C' }] });
    s.fm.decodeHeaders(req(), false);
    assert.equal(completeWhileInside, false);
    assert.deepEqual(s.log, ['A:reqHeaders', 'B:reqHeaders', 'A:resHeaders 403', 'A:resBody denied end', 'A:complete', 'B:complete', 'C:complete']);
    assert.deepEqual(s.encoder.events, ['headers 403', 'data denied end']);
    assert.equal(s.encoder.headers?.get('x-why'), 'policy');
    assert.equal(s.encoder.headers?.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(s.fm.info.responseCodeDetails, 'test_denied');
    assert.equal(s.terminal(), undefined);
    assert.equal(s.completed(), 1);
  });

  test('a local reply from a response callback replaces the upstream response and aborts it', () => {
    const b: Omit<Script, 'log'> = {
      name: 'B',
      resHeaders: (_h, _e, cb) => {
        cb.sendLocalReply({ status: 502, body: 'bad upstream' });
        return Stop;
      },
    };
    const s = setup({ filters: [{ name: 'A' }, b, { name: 'C' }] });
    s.fm.decodeHeaders(req(), true);
    s.fm.encodeHeaders(res(200), false);
    assert.equal(s.terminal().aborted, 1);
    s.fm.encodeData(buf('ignored'), true);
    assert.deepEqual(s.encoder.events, ['headers 502', 'data bad upstream end']);
    assert.deepEqual(
      s.log.filter((l) => l.includes(':res')),
      ['C:resHeaders 200', 'B:resHeaders 200', 'A:resHeaders 502', 'A:resBody bad upstream end'],
    );
  });

  test('a local reply after the response head left resets the stream', () => {
    const a: Omit<Script, 'log'> = { name: 'A' };
    const s = setup({ filters: [a] });
    s.fm.decodeHeaders(req(), true);
    s.fm.encodeHeaders(res(200), false);
    a.callbacks!.sendLocalReply({ status: 500 });
    assert.deepEqual(s.encoder.events, ['headers 200', 'reset local_reset']);
    assert.equal(s.completed(), 1);
  });

  test('Stop on response headers holds the response (reading the upstream pauses above the limit); body overflow after the head left resets', () => {
    const a: Omit<Script, 'log'> = { name: 'A', resHeaders: () => Stop };
    const s = setup({ filters: [a], maxBufferBytes: 4 });
    s.fm.decodeHeaders(req(), true);
    s.fm.encodeHeaders(res(200), false);
    s.fm.encodeData(buf('abc'), false);
    assert.deepEqual(s.encoder.events, []);
    s.fm.encodeData(buf('def'), false);
    assert.equal(s.terminal().upstreamDisables, 1, 'reading the upstream paused');
    a.callbacks!.continueResponse();
    assert.equal(s.terminal().upstreamDisables, 0);
    assert.deepEqual(s.encoder.events, ['headers 200', 'data abcdef']);

    const b: Omit<Script, 'log'> = { name: 'B', resBody: () => Stop };
    const s2 = setup({ filters: [{ name: 'A' }, b], maxBufferBytes: 4 });
    s2.fm.decodeHeaders(req(), true);
    s2.fm.encodeHeaders(res(200), false);
    s2.fm.encodeData(buf('abc'), false);
    s2.fm.encodeData(buf('def'), false);
    assert.deepEqual(s2.encoder.events, ['headers 200', 'reset local_reset'], 'the head already left: the stream is reset');
  });

  test('response body buffered beyond the limit before the head left: 500 response_buffer_overflow', () => {
    const a: Omit<Script, 'log'> = { name: 'A', resHeaders: () => Stop };
    const b: Omit<Script, 'log'> = { name: 'B', resBody: () => Stop };
    const s = setup({ filters: [a, b], maxBufferBytes: 4 });
    s.fm.decodeHeaders(req(), true);
    s.fm.encodeHeaders(res(200), false);
    s.fm.encodeData(buf('abc'), false);
    s.fm.encodeData(buf('def'), false);
    assert.equal(s.encoder.headers?.get(':status'), '500');
    assert.equal(s.encoder.headers?.get('x-weft-error'), 'response_buffer_overflow');
    assert.equal(s.terminal().aborted, 1);
    // A holds the upstream's head: the reply goes straight out, A never sees a second head.
    assert.deepEqual(
      s.log.filter((l) => l.startsWith('A:res')),
      ['A:resHeaders 200'],
    );
    assert.equal(s.completed(), 1);
  });

  test('request trailers: Stop holds them; a filter can add trailers on the last chunk', () => {
    const a: Omit<Script, 'log'> = { name: 'A', reqTrailers: () => Stop };
    const s = setup({ filters: [a] });
    s.fm.decodeHeaders(req(), false);
    s.fm.decodeData(buf('x'), false);
    s.fm.decodeTrailers(new HeaderMap(['t', '1']));
    assert.deepEqual(s.terminal().events, ['headers /p', 'data x']);
    a.callbacks!.requestTrailers()!.add('added', 'yes');
    a.callbacks!.continueRequest();
    assert.deepEqual(s.terminal().events, ['headers /p', 'data x', 'trailers ["t","1","added","yes"]']);

    const adder: Omit<Script, 'log'> = {
      name: 'Adder',
      reqBody: (_b, end, cb) => {
        if (end) cb.requestTrailers(true)!.add('grpc-like', 'v');
        return Continue;
      },
    };
    const s2 = setup({ filters: [adder, { name: 'B' }] });
    assert.equal(adder.callbacks, undefined);
    s2.fm.decodeHeaders(req(), false);
    assert.equal(adder.callbacks!.requestTrailers(true), undefined, 'only while the last chunk is processed');
    s2.fm.decodeData(buf('body'), true);
    assert.deepEqual(s2.terminal().events, ['headers /p', 'data body', 'trailers ["grpc-like","v"]']);
    assert.ok(s2.log.includes('B:reqBody body'), 'B no longer sees end of stream on the body');
    assert.ok(s2.log.includes('B:reqTrailers'));
  });

  test('response trailers pass through filters in reverse and reach the encoder', () => {
    const s = setup({ filters: [{ name: 'A' }, { name: 'B' }] });
    s.fm.decodeHeaders(req(), true);
    s.fm.encodeHeaders(res(), false);
    s.fm.encodeData(buf('d'), false);
    s.fm.encodeTrailers(new HeaderMap(['grpc-status', '0']));
    assert.deepEqual(s.encoder.events, ['headers 200', 'data d', 'trailers ["grpc-status","0"]']);
    assert.deepEqual(
      s.log.filter((l) => l.includes('Trailers')),
      ['B:resTrailers', 'A:resTrailers'],
    );
    assert.equal(s.completed(), 1);
  });

  test('route filters run after the listener filters, chosen by the route matched after the listener chain', () => {
    const s = setup({ filters: [{ name: 'L' }], routeFilters: [{ name: 'R1' }, { name: 'R2' }] });
    s.fm.decodeHeaders(req(), true);
    s.fm.encodeHeaders(res(), true);
    assert.deepEqual(s.log.slice(0, 6), ['L:reqHeaders end', 'R1:reqHeaders end', 'R2:reqHeaders end', 'R2:resHeaders 200 end', 'R1:resHeaders 200 end', 'L:resHeaders 200 end']);
    assert.equal(s.routeMatches(), 1);
  });

  test('clearRouteCache makes the next currentRoute() match again', () => {
    const a: Omit<Script, 'log'> = { name: 'A' };
    const s = setup({ filters: [a] });
    s.fm.decodeHeaders(req(), true);
    assert.equal(s.routeMatches(), 1);
    s.fm.currentRoute();
    assert.equal(s.routeMatches(), 1);
    a.callbacks!.clearRouteCache();
    s.fm.currentRoute();
    assert.equal(s.routeMatches(), 2);
  });

  test('encoder backpressure pauses the upstream until the response drains', () => {
    const s = setup();
    s.fm.decodeHeaders(req(), true);
    s.fm.encodeHeaders(res(), false);
    s.encoder.writable = false;
    s.fm.encodeData(buf('a'), false);
    s.fm.encodeData(buf('b'), false);
    assert.equal(s.terminal().upstreamDisables, 1);
    s.fm.onResponseDrain();
    assert.equal(s.terminal().upstreamDisables, 0);
  });

  test('a downstream reset aborts the terminal and completes every filter once', () => {
    const s = setup({ filters: [{ name: 'A' }, { name: 'B' }] });
    s.fm.decodeHeaders(req(), false);
    s.fm.onReset('remote_reset');
    s.fm.onReset('remote_reset');
    assert.equal(s.terminal().aborted, 1);
    assert.deepEqual(s.log.filter((l) => l.endsWith('complete')), ['A:complete', 'B:complete']);
    assert.equal(s.completed(), 1);
    assert.equal(s.fm.resetCause, 'remote_reset');
  });

  test('a filter that throws ends the stream with 500 internal_error, not the process', () => {
    const s = setup({
      filters: [
        { name: 'A' },
        {
          name: 'Boom',
          reqHeaders: () => {
            throw new Error('bug');
          },
        },
      ],
    });
    s.fm.decodeHeaders(req(), true);
    assert.equal(s.encoder.headers?.get(':status'), '500');
    assert.equal(s.encoder.headers?.get('x-weft-error'), 'internal_error');
    assert.ok(s.log.includes('A:resHeaders 500'));
    assert.equal(s.completed(), 1);
  });

  test('local replies to gRPC requests are trailers-only responses with grpc-status', () => {
    const a: Omit<Script, 'log'> = {
      name: 'A',
      reqHeaders: (_h, _e, cb) => {
        cb.sendLocalReply({ status: 403, body: 'not allowed', grpcStatus: 7 });
        return Stop;
      },
    };
    const s = setup({ filters: [a] });
    s.fm.decodeHeaders(req('/svc/M', ['content-type', 'application/grpc']), false);
    assert.deepEqual(s.encoder.events, ['headers 200 end']);
    assert.equal(s.encoder.headers?.get('grpc-status'), '7');
    assert.equal(s.encoder.headers?.get('content-type'), 'application/grpc');
    assert.equal(decodeURIComponent(s.encoder.headers!.get('grpc-message')!), 'not allowed');
  });

  test('1xx responses go straight to the encoder before the head', () => {
    const s = setup({ filters: [{ name: 'A' }] });
    s.fm.decodeHeaders(req(), false);
    s.fm.encode1xx(res(100));
    s.fm.encodeHeaders(res(200), true);
    assert.deepEqual(s.encoder.events, ['1xx 100', 'headers 200 end']);
  });

  test('a response that ends before the request drops the rest of the request and aborts the terminal', () => {
    const s = setup();
    s.fm.decodeHeaders(req(), false);
    s.fm.decodeData(buf('a'), false);
    s.fm.encodeHeaders(res(413), true);
    assert.equal(s.completed(), 1);
    assert.equal(s.terminal().aborted, 1);
    s.fm.decodeData(buf('b'), true);
    assert.deepEqual(s.terminal().events, ['headers /p', 'data a']);
  });
});
