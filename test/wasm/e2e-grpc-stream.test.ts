// gRPC streams from a Wasm filter (proxy_grpc_stream/send/close/cancel) to a real @grpc/grpc-js bidi server over an HTTP/2 cluster: order of callbacks, metadata both ways, statuses, cancel.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createServer as createH2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import { Metadata, Server, ServerCredentials, status, type ServerDuplexStream } from '@grpc/grpc-js';
import { buildE2eFilter, Client, config, ModuleDir, startUpstream, startWasmProxy } from './e2e-harness.js';

const dir = new ModuleDir();
let e2e = '';
before(async () => {
  e2e = await buildE2eFilter(dir);
});
after(() => dir.cleanup());

const raw = (b: Buffer) => b;

interface ChatCall {
  readonly metadata: Metadata;
  readonly received: string[];
  ended: boolean;
  cancelled: boolean;
  /** Settles when the call is over on the server (ended, failed or cancelled). */
  readonly done: Promise<void>;
}

/**
 * test.Echo/Chat, bidi streaming with raw bytes as messages. By the request metadata x-mode:
 *   echo           initial metadata x-init: hi; each message answered "echo:" + message; a message "fail"
 *                  ends the call with PERMISSION_DENIED "not you" and trailing metadata x-trail: denied;
 *                  the client's half-close ends it with OK and trailing metadata x-trail: bye
 *   trailers-only  no initial metadata; the first message ends the call with PERMISSION_DENIED
 *                  (a trailers-only response)
 *   hold           each message answered "echo:" + message and "more", then the call stays open
 */
async function startChat(): Promise<{ port: number; calls: ChatCall[]; close: () => Promise<void> }> {
  const server = new Server();
  const calls: ChatCall[] = [];
  server.addService(
    { Chat: { path: '/test.Echo/Chat', requestStream: true, responseStream: true, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
    {
      Chat: (call: ServerDuplexStream<Buffer, Buffer>) => {
        let finish!: () => void;
        const rec: ChatCall = { metadata: call.metadata, received: [], ended: false, cancelled: false, done: new Promise<void>((r) => (finish = r)) };
        calls.push(rec);
        const mode = String(call.metadata.get('x-mode')[0] ?? 'echo');
        let over = false;
        const fail = () => {
          over = true;
          const trailing = new Metadata();
          trailing.set('x-trail', 'denied');
          call.emit('error', { code: status.PERMISSION_DENIED, details: 'not you', metadata: trailing });
          finish();
        };
        call.on('cancelled', () => {
          rec.cancelled = true;
          finish();
        });
        if (mode !== 'trailers-only') {
          const initial = new Metadata();
          initial.set('x-init', 'hi');
          call.sendMetadata(initial);
        }
        call.on('data', (m: Buffer) => {
          if (over) return;
          const text = m.toString();
          rec.received.push(text);
          if (mode === 'trailers-only' || text === 'fail') return fail();
          call.write(Buffer.concat([Buffer.from('echo:'), m]));
          if (mode === 'hold') call.write(Buffer.from('more'));
        });
        call.on('end', () => {
          rec.ended = true;
          if (over) return;
          over = true;
          const trailing = new Metadata();
          trailing.set('x-trail', 'bye');
          call.end(trailing);
          finish();
        });
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { port, calls, close: async () => server.forceShutdown() };
}

/** One gRPC frame: flag byte, 4-byte big-endian length, message. */
function frame(text: string): Buffer {
  const m = Buffer.from(text);
  const out = Buffer.alloc(5 + m.length);
  out.writeUInt32BE(m.length, 1);
  m.copy(out, 5);
  return out;
}

/**
 * A bare HTTP/2 server for what grpc-js does not send, by the request header x-mode:
 *   coalesce (default)  response headers, then "first" and "second" in one DATA frame (as gRPC
 *                       implementations that coalesce writes do); the stream stays open
 *   reset               response headers and "first", then the stream destroyed: RST_STREAM(INTERNAL_ERROR)
 *   http-NNN            an NNN text/html response whose body would parse as a gRPC frame
 * Records the RST_STREAM code each stream closed with.
 */
async function startCoalescing(): Promise<{ port: number; resets: Promise<number>[]; close: () => Promise<void> }> {
  const server = createH2Server();
  const resets: Promise<number>[] = [];
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    resets.push(new Promise((r) => stream.on('close', () => r(stream.rstCode))));
    stream.on('error', () => {});
    const mode = String(headers['x-mode'] ?? 'coalesce');
    if (mode.startsWith('http-')) {
      stream.respond({ ':status': Number(mode.slice(5)), 'content-type': 'text/html' });
      stream.end(frame('not a grpc message'));
      return;
    }
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    if (mode === 'reset') {
      stream.write(frame('first'), () => stream.destroy(new Error('server gives up')));
      return;
    }
    stream.write(Buffer.concat([frame('first'), frame('second')]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    resets,
    close: async () => {
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sessions) s.destroy();
      });
    },
  };
}

/** `p`, or a rejection after `ms` (only a failing run waits that long). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A port on 127.0.0.1 nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('gRPC stream: a bidi stream to a grpc-js server, messages, metadata and statuses through the proxy; cancel; an unreachable cluster', async (t) => {
  const app = await startUpstream();
  const chat = await startChat();
  const coalescing = await startCoalescing();
  const gone = await closedPort();
  const proxy = await startWasmProxy(
    config(app.port, `  - { name: chatter, vm_id: grpc-stream, module: { file: ${e2e} }, configuration: { mode: grpc-stream }, filter_chains: [edge] }`, {
      clusters: [
        `  - name: grpc\n    protocol: http2\n    endpoints: [{ address: 127.0.0.1:${chat.port} }]`,
        `  - name: coalescing\n    protocol: http2\n    endpoints: [{ address: 127.0.0.1:${coalescing.port} }]`,
        `  - name: gone\n    protocol: http2\n    endpoints: [{ address: 127.0.0.1:${gone} }]`,
      ].join('\n'),
    }),
  );
  const client = new Client(proxy.port());
  try {
    await t.test('messages, then a half-close with end_of_stream: replies in order, metadata both ways, OK', async () => {
      const r = await client.send('/s', { headers: { 'x-msgs': 'a,b,c' } });
      assert.equal(r.status, 200, r.body);
      const h = app.seen.at(-1)!.headers;
      assert.equal(h['x-grpc-replies'], 'echo:a,echo:b,echo:c');
      assert.match(String(h['x-grpc-events']), /^initial\([1-9]\d*\),message,message,message,trailing,close:0$/);
      assert.equal(h['x-grpc-initial'], 'hi');
      assert.equal(h['x-grpc-trailing'], 'bye');
      assert.equal(h['x-grpc-trailing-status'], '0', 'trailing metadata is the whole trailer block, grpc-status included (as Envoy)');
      assert.equal(h['x-grpc-status'], '0');
      const call = chat.calls.at(-1)!;
      assert.deepEqual(call.received, ['a', 'b', 'c']);
      assert.equal(call.ended, true);
      assert.deepEqual(call.metadata.get('x-from'), ['wasm'], 'the filter\'s initial metadata reached the server');
    });

    await t.test('proxy_grpc_close half-closes the stream after the messages', async () => {
      const r = await client.send('/s', { headers: { 'x-msgs': 'x,y', 'x-how': 'close' } });
      assert.equal(r.status, 200, r.body);
      const h = app.seen.at(-1)!.headers;
      assert.equal(h['x-grpc-replies'], 'echo:x,echo:y');
      assert.match(String(h['x-grpc-events']), /^initial\(\d+\),message,message,trailing,close:0$/);
      assert.deepEqual(chat.calls.at(-1)!.received, ['x', 'y']);
      assert.equal(chat.calls.at(-1)!.ended, true);
    });

    await t.test('several streams at once on the one HTTP/2 connection', async () => {
      const many = await Promise.all(Array.from({ length: 6 }, (_, i) => client.send(`/s${i}`, { headers: { 'x-msgs': `p${i},q${i}` } })));
      assert.deepEqual(many.map((r) => r.status), Array(6).fill(200));
      assert.deepEqual(app.seen.slice(-6).map((s) => s.headers['x-grpc-replies']).sort(), Array.from({ length: 6 }, (_, i) => `echo:p${i},echo:q${i}`).sort());
    });

    await t.test('an error status after some replies reaches the filter with its message and trailing metadata', async () => {
      const r = await client.send('/s', { headers: { 'x-msgs': 'a,fail,never' } });
      assert.equal(r.status, 502);
      assert.equal(r.headers['x-grpc-status'], String(status.PERMISSION_DENIED));
      assert.equal(r.headers['x-grpc-replies'], 'echo:a');
      assert.match(String(r.headers['x-grpc-events']), /^initial\(\d+\),message,trailing,close:7$/);
      assert.equal(r.headers['x-grpc-initial'], 'hi');
      assert.equal(r.headers['x-grpc-trailing'], 'denied');
      assert.equal(r.headers['x-grpc-trailing-status'], String(status.PERMISSION_DENIED));
      assert.match(r.body, /not you/);
    });

    await t.test('a trailers-only error: empty initial metadata, the trailer block as trailing metadata (as Envoy)', async () => {
      const r = await client.send('/s', { headers: { 'x-msgs': 'a', 'x-mode': 'trailers-only' } });
      assert.equal(r.status, 502);
      assert.equal(r.headers['x-grpc-status'], String(status.PERMISSION_DENIED));
      assert.equal(r.headers['x-grpc-events'], 'initial(0),trailing,close:7');
      assert.equal(r.headers['x-grpc-initial'], '');
      assert.equal(r.headers['x-grpc-trailing'], 'denied');
      assert.match(r.body, /not you/);
    });

    await t.test('proxy_grpc_cancel mid-stream: the server sees the cancellation, no callback follows', async () => {
      const before = chat.calls.length;
      const r = await client.send('/s', { headers: { 'x-msgs': 'one', 'x-how': 'cancel', 'x-mode': 'hold' } });
      assert.equal(r.status, 200, r.body);
      const h = app.seen.at(-1)!.headers;
      assert.equal(h['x-grpc-cancel'], '0', 'proxy_grpc_cancel answered Ok');
      assert.match(String(h['x-grpc-events']), /^initial\(\d+\),message$/);
      assert.equal(h['x-grpc-replies'], 'echo:one');
      const call = chat.calls[before]!;
      await within(call.done, 5000, 'the server never saw the stream end after proxy_grpc_cancel');
      assert.equal(call.cancelled, true, 'the server saw the stream cancelled');
      assert.deepEqual(call.received, ['one']);
      // The server sent "more" (and would send its status) before it saw the cancel; a later stream on
      // the same connection completes after whatever the server sent on the cancelled one arrived.
      const next = await client.send('/s', { headers: { 'x-msgs': 'after' } });
      assert.equal(next.status, 200, next.body);
      assert.equal(app.seen.at(-1)!.headers['x-grpc-replies'], 'echo:after');
      assert.equal(app.seen.at(-1)!.headers['x-grpc-stray'], '0', 'no callback reached the cancelled stream');
    });

    await t.test('proxy_grpc_cancel on the first of two messages that came in one DATA frame: the second never reaches the filter', async () => {
      const r = await client.send('/s', { headers: { 'x-msgs': 'one', 'x-how': 'cancel', 'x-cluster': 'coalescing' } });
      assert.equal(r.status, 200, r.body);
      const h = app.seen.at(-1)!.headers;
      assert.equal(h['x-grpc-cancel'], '0');
      assert.equal(h['x-grpc-replies'], 'first');
      assert.equal(await within(coalescing.resets.at(-1)!, 5000, 'the stream was never reset'), constants.NGHTTP2_CANCEL, 'the upstream stream was reset with CANCEL');
      const next = await client.send('/s', { headers: { 'x-msgs': 'later' } });
      assert.equal(next.status, 200, next.body);
      assert.equal(app.seen.at(-1)!.headers['x-grpc-stray'], '0', 'no callback reached the cancelled stream');
    });

    await t.test('a stream reset after the response began closes with INTERNAL after the messages so far (as Envoy)', async () => {
      const r = await client.send('/s', { headers: { 'x-msgs': 'one', 'x-how': 'close', 'x-cluster': 'coalescing', 'x-mode': 'reset' } });
      assert.equal(r.status, 502);
      assert.equal(r.headers['x-grpc-status'], String(status.INTERNAL));
      assert.match(String(r.headers['x-grpc-events']), /^initial\(\d+\),message,trailing,close:13$/);
      assert.equal(r.headers['x-grpc-replies'], 'first');
    });

    await t.test('a non-gRPC HTTP error response: its status mapped (404 -> UNIMPLEMENTED), its body never parsed as messages', async () => {
      const r = await client.send('/s', { headers: { 'x-msgs': 'one', 'x-cluster': 'coalescing', 'x-mode': 'http-404' } });
      assert.equal(r.status, 502);
      assert.equal(r.headers['x-grpc-status'], String(status.UNIMPLEMENTED));
      assert.equal(r.headers['x-grpc-events'], 'initial(0),trailing,close:12');
      assert.equal(r.headers['x-grpc-replies'], '');
      const timeout = await client.send('/s', { headers: { 'x-msgs': 'one', 'x-cluster': 'coalescing', 'x-mode': 'http-504' } });
      assert.equal(timeout.headers['x-grpc-status'], String(status.UNAVAILABLE), 'a peer\'s 504 is UNAVAILABLE, as in gRPC\'s table and Envoy');
    });

    await t.test('an unreachable cluster closes the stream with UNAVAILABLE; the proxy keeps serving', async () => {
      const r = await client.send('/s', { headers: { 'x-msgs': 'a,b', 'x-cluster': 'gone' } });
      assert.equal(r.status, 502);
      assert.equal(r.headers['x-grpc-status'], String(status.UNAVAILABLE));
      assert.equal(r.headers['x-grpc-events'], 'initial(0),trailing,close:14', 'as Envoy: empty initial metadata, trailing metadata, close');
      assert.equal(r.headers['x-grpc-trailing-status'], String(status.UNAVAILABLE));
      assert.equal(r.headers['x-grpc-replies'], '');
      const ok = await client.send('/s', { headers: { 'x-msgs': 'still' } });
      assert.equal(ok.status, 200, ok.body);
      assert.equal(app.seen.at(-1)!.headers['x-grpc-replies'], 'echo:still');
    });

    await t.test('an unknown cluster is ParseFailure from proxy_grpc_stream', async () => {
      const r = await client.send('/s', { headers: { 'x-msgs': 'a', 'x-cluster': 'nowhere' } });
      assert.equal(r.status, 500);
      assert.match(r.body, /grpc stream not opened: 4\b/);
    });
  } finally {
    await client.close();
    await proxy.close();
    await chat.close();
    await coalescing.close();
    await app.close();
  }
});
