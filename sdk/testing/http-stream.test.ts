// HttpStream: the one-filter chain the harness drives follows the HttpFilter contract (held headers
// buffer the body, resume replays it, body Stop accumulates, trailers, local replies, limits, reset).
// The filter here is a scripted stand-in (no Wasm), to pin down the chain's side of the contract.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FilterAction, type BodyBuffer, type HeaderMap, type HttpFilter, type HttpFilterCallbacks } from '../../proxy/wasm/index.js';
import { HttpStream } from './http-stream.js';

const { Continue, Stop } = FilterAction;

/** A filter whose answers the test scripts; it records what it saw. */
class Scripted implements HttpFilter {
  seen: string[] = [];
  cb!: HttpFilterCallbacks;
  headers: FilterAction = Continue;
  body: (b: BodyBuffer, eos: boolean) => FilterAction = () => Continue;
  trailers: FilterAction = Continue;
  onRequestHeaders(h: HeaderMap, eos: boolean): FilterAction {
    this.seen.push(`headers ${h.get(':path')} ${eos}`);
    return this.headers;
  }
  onRequestBody(b: BodyBuffer, eos: boolean): FilterAction {
    this.seen.push(`body ${b.toBuffer().toString()} ${eos}`);
    return this.body(b, eos);
  }
  onRequestTrailers(t: HeaderMap): FilterAction {
    this.seen.push(`trailers ${t.get('x-t')}`);
    return this.trailers;
  }
  onResponseHeaders(h: HeaderMap, eos: boolean): FilterAction {
    this.seen.push(`response ${h.get(':status')} ${eos}`);
    return Continue;
  }
  onStreamComplete(): void {
    this.seen.push('complete');
  }
}

function stream(f: Scripted, limit = 1024): HttpStream {
  const s = new HttpStream((cb) => {
    f.cb = cb;
    return f;
  }, limit, 0, 0);
  s.start();
  return s;
}

describe('HttpStream (the harness side of the filter-chain contract)', () => {
  it('buffers body and trailers while the headers are held, and replays them to the filter on resume', () => {
    const f = new Scripted();
    f.headers = Stop;
    const s = stream(f);
    assert.equal(s.sendRequestHeaders({ ':path': '/a' }), 'stop');
    assert.equal(s.sendRequestBody('one '), 'stop');
    assert.equal(s.sendRequestBody('two'), 'stop');
    assert.equal(s.sendRequestTrailers({ 'x-t': 'end' }), 'stop');
    assert.deepEqual(f.seen, ['headers /a false'], 'nothing reaches the filter while it holds the headers');
    assert.equal(f.cb.bufferedRequestBody()?.toBuffer().toString(), 'one two');
    f.cb.continueRequest();
    assert.deepEqual(f.seen, ['headers /a false', 'body one two false', 'trailers end']);
    assert.ok(s.request.headersForwarded && s.request.trailersForwarded && s.request.ended);
    assert.equal(s.request.text, 'one two');
    f.cb.continueRequest(); // not held: a no-op
    assert.equal(f.seen.length, 3);
  });

  it('accumulates the body while the filter answers Stop, and passes it all on Continue', () => {
    const f = new Scripted();
    f.body = (_b, eos) => (eos ? Continue : Stop);
    const s = stream(f);
    s.sendRequestHeaders({});
    assert.equal(s.sendRequestBody('ab'), 'stop');
    assert.equal(s.request.body.length, 0);
    assert.equal(s.sendRequestBody('cd', true), 'continue');
    assert.deepEqual(f.seen.slice(1), ['body ab false', 'body abcd true']);
    assert.equal(s.request.text, 'abcd');
    assert.ok(s.request.ended);
  });

  it('resumes a held body, and treats continue asked inside the callback as Continue', () => {
    const f = new Scripted();
    f.body = () => {
      f.cb.continueRequest();
      return Stop;
    };
    const s = stream(f);
    s.sendRequestHeaders({});
    assert.equal(s.sendRequestBody('x', true), 'continue');
    assert.equal(s.request.text, 'x');
  });

  it('completes once the response end has passed; the filter sees headers with end_of_stream', () => {
    const f = new Scripted();
    const s = stream(f);
    s.sendRequest({ headers: { ':path': '/p' } });
    assert.equal(s.completed, false);
    s.sendResponse({ headers: { ':status': '204' } });
    assert.deepEqual(f.seen, ['headers /p true', 'response 204 true', 'complete']);
    assert.equal(s.clientStatus, 204);
    assert.throws(() => s.sendRequestBody('late'), /complete/);
  });

  it('ends the stream on a local reply after the current callback, and resets instead once the response began', () => {
    const f = new Scripted();
    f.headers = Stop;
    const s = stream(f);
    f.onRequestHeaders = () => {
      f.cb.sendLocalReply({ status: 401, body: 'no', headers: [['www-authenticate', 'Bearer']], details: 'denied' });
      f.seen.push('after reply, still in the callback');
      return Stop;
    };
    assert.equal(s.sendRequestHeaders({}), 'stop');
    assert.deepEqual(f.seen, ['after reply, still in the callback', 'complete']);
    assert.equal(s.localResponse?.status, 401);
    assert.equal(s.localResponse?.headers.get('content-type'), 'text/plain');
    assert.equal(s.info.responseCodeDetails, 'denied');

    const g = new Scripted();
    const t = stream(g);
    t.sendRequest({});
    t.sendResponseHeaders({ ':status': '200' });
    g.cb.sendLocalReply({ status: 500 });
    assert.equal(t.localResponse, undefined);
    assert.ok(t.wasReset && t.completed);
  });

  it('answers 413 when a held request body passes the buffer limit', () => {
    const f = new Scripted();
    f.body = () => Stop;
    const s = stream(f, 8);
    s.sendRequestHeaders({});
    s.sendRequestBody('12345');
    assert.equal(s.sendRequestBody('6789'), 'stop');
    assert.equal(s.localResponse?.status, 413);
    assert.ok(s.completed);
  });

  it('lets the filter add trailers in its last body callback', () => {
    const f = new Scripted();
    f.body = (_b, eos) => {
      if (eos) f.cb.requestTrailers(true)!.add('x-checksum', 'abc');
      return Continue;
    };
    const s = stream(f);
    s.sendRequest({ body: 'data' });
    assert.equal(s.request.trailers?.get('x-checksum'), 'abc');
    assert.ok(s.request.trailersForwarded && s.request.ended);
  });
});
