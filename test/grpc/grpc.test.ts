// gRPC through the proxy with @grpc/grpc-js on both ends: unary, server and bidi streaming, errors with trailing metadata, deadlines, TLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { createTestCa, type TestCertificate, type TestCa } from '../fixtures/pki.js';
import { httpConfig } from '../fixtures/mesh-config.js';
import { startProxy, startRawUpstream, until, type Proxy } from '../http1/harness.js';

// Messages are JSON: no .proto needed, the wire format (length-prefixed messages, trailers) is gRPC's.
const ser = (v: unknown) => Buffer.from(JSON.stringify(v));
const de = (b: Buffer) => JSON.parse(b.toString()) as Record<string, unknown>;
const method = (name: string, requestStream: boolean, responseStream: boolean) => ({
  path: `/weft.test.Echo/${name}`,
  requestStream,
  responseStream,
  requestSerialize: ser,
  requestDeserialize: de,
  responseSerialize: ser,
  responseDeserialize: de,
});
const service = {
  unary: method('Unary', false, false),
  count: method('Count', false, true),
  chat: method('Chat', true, true),
  slow: method('Slow', false, false),
} as unknown as grpc.ServiceDefinition;
const EchoClient = grpc.makeGenericClientConstructor(service, 'Echo');
type Echo = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

let upstream: grpc.Server;
let upstreamPort: number;
const cancelledSlowCalls: string[] = [];
let ca: TestCa;
let serverCert: TestCertificate;

before(async () => {
  ca = createTestCa();
  serverCert = ca.issue({ commonName: 'weft.test', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  upstream = new grpc.Server();
  upstream.addService(service, {
    unary(call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const name = String(call.request.name);
      if (name === 'fail') {
        const trailer = new grpc.Metadata();
        trailer.set('x-reason', 'gone');
        cb({ code: grpc.status.NOT_FOUND, details: 'no such thing: ünïcode 100% real', metadata: trailer });
        return;
      }
      const initial = new grpc.Metadata();
      initial.set('x-initial', 'yes');
      call.sendMetadata(initial);
      cb(null, { greeting: `hello ${name}`, meta: call.metadata.get('x-meta')[0] ?? null, authority: call.getPath() });
    },
    count(call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) {
      const n = Number(call.request.n);
      for (let i = 0; i < n; i++) call.write({ i });
      call.end();
    },
    chat(call: grpc.ServerDuplexStream<Record<string, unknown>, unknown>) {
      call.on('data', (m: Record<string, unknown>) => call.write({ echo: m.text }));
      call.on('end', () => call.end());
    },
    slow(call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>) {
      call.on('cancelled', () => cancelledSlowCalls.push(String(call.request.id)));
    },
  });
  upstreamPort = await new Promise<number>((resolve, reject) =>
    upstream.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(port))),
  );
});

after(() => {
  upstream.forceShutdown();
});

function unary(client: Echo, name: string, request: unknown, options: { metadata?: grpc.Metadata; deadlineMs?: number } = {}) {
  return new Promise<{ error?: grpc.ServiceError; response?: Record<string, unknown>; initial?: grpc.Metadata; trailing?: grpc.Metadata }>((resolve) => {
    const out: { error?: grpc.ServiceError; response?: Record<string, unknown>; initial?: grpc.Metadata; trailing?: grpc.Metadata } = {};
    const callOptions: grpc.CallOptions = options.deadlineMs ? { deadline: Date.now() + options.deadlineMs } : {};
    const call = client[name]!(request, options.metadata ?? new grpc.Metadata(), callOptions, (error: grpc.ServiceError | null, response: Record<string, unknown>) => {
      if (error) out.error = error;
      else out.response = response;
    }) as grpc.ClientUnaryCall;
    call.on('metadata', (m: grpc.Metadata) => (out.initial = m));
    call.on('status', (s: grpc.StatusObject) => {
      out.trailing = s.metadata;
      setImmediate(() => resolve(out));
    });
  });
}

async function withProxy(fn: (client: Echo, proxy: Proxy) => Promise<void>, o: { tls?: boolean; clusterPort?: number; routePrefix?: string } = {}) {
  let config = httpConfig(o.clusterPort ?? upstreamPort, {
    cluster: { protocol: 'http2' },
    ...(o.tls ? { listener: { tls: { certificate: 'server' } }, secrets: [{ name: 'server', certificate: serverCert.cert, private_key: serverCert.key }] } : {}),
  });
  if (o.routePrefix) {
    const c = JSON.parse(config) as { route_tables: { virtual_hosts: { routes: { match: { path: { prefix: string } } }[] }[] }[] };
    c.route_tables[0]!.virtual_hosts[0]!.routes[0]!.match.path.prefix = o.routePrefix;
    config = JSON.stringify(c);
  }
  const proxy = await startProxy(config);
  const creds = o.tls ? grpc.credentials.createSsl(Buffer.from(ca.cert)) : grpc.credentials.createInsecure();
  const client = new EchoClient(`127.0.0.1:${proxy.port}`, creds) as unknown as Echo;
  try {
    await fn(client, proxy);
  } finally {
    client.close();
    await proxy.close();
  }
}

test('unary: message, request metadata, initial and trailing metadata pass through', async () => {
  await withProxy(async (client) => {
    const md = new grpc.Metadata();
    md.set('x-meta', 'from-client');
    const r = await unary(client, 'unary', { name: 'weft' }, { metadata: md });
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(r.response, { greeting: 'hello weft', meta: 'from-client', authority: '/weft.test.Echo/Unary' });
    assert.equal(r.initial?.get('x-initial')[0], 'yes');
  });
});

test('server streaming: every message arrives in order', async () => {
  await withProxy(async (client) => {
    const call = client.count!({ n: 200 }) as grpc.ClientReadableStream<Record<string, unknown>>;
    const got: number[] = [];
    call.on('data', (m: Record<string, unknown>) => got.push(Number(m.i)));
    const [status] = (await once(call, 'status')) as [grpc.StatusObject];
    assert.equal(status.code, grpc.status.OK);
    assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => i));
  });
});

test('bidi streaming is not buffered: each reply comes before the next message is sent', async () => {
  await withProxy(async (client) => {
    const call = client.chat!() as grpc.ClientDuplexStream<unknown, Record<string, unknown>>;
    const replies: string[] = [];
    for (let i = 0; i < 20; i++) {
      call.write({ text: `m${i}` });
      const [m] = (await once(call, 'data')) as [Record<string, unknown>];
      replies.push(String(m.echo));
    }
    call.end();
    const [status] = (await once(call, 'status')) as [grpc.StatusObject];
    assert.equal(status.code, grpc.status.OK);
    assert.deepEqual(replies, Array.from({ length: 20 }, (_, i) => `m${i}`));
  });
});

test('an error status keeps its code, message and trailing metadata', async () => {
  await withProxy(async (client) => {
    const r = await unary(client, 'unary', { name: 'fail' });
    assert.equal(r.error?.code, grpc.status.NOT_FOUND);
    assert.equal(r.error?.details, 'no such thing: ünïcode 100% real');
    assert.equal(r.trailing?.get('x-reason')[0], 'gone');
  });
});

test('deadlines: the client sees DEADLINE_EXCEEDED and the upstream call is cancelled', async () => {
  await withProxy(async (client) => {
    const r = await unary(client, 'slow', { id: 'client-deadline' }, { deadlineMs: 300 });
    assert.equal(r.error?.code, grpc.status.DEADLINE_EXCEEDED);
    await until(() => cancelledSlowCalls.includes('client-deadline'), 10_000, 'the slow call cancelled upstream');
  });
});

test('the proxy enforces grpc-timeout itself: a gRPC-shaped DEADLINE_EXCEEDED, the upstream stream cancelled', async () => {
  // An upstream that never answers and ignores grpc-timeout (grpc-js would enforce it itself and race the proxy).
  const silent = http2.createServer();
  const upstreamStreams: http2.ServerHttp2Stream[] = [];
  silent.on('stream', (s) => {
    s.on('error', () => {});
    upstreamStreams.push(s);
  });
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  try {
    await withProxy(
      async (_client, proxy) => {
        const session = http2.connect(`http://127.0.0.1:${proxy.port}`);
        session.on('error', () => {});
        try {
          const message = ser({ id: 'proxy-deadline' });
          const prefix = Buffer.alloc(5);
          prefix.writeUInt32BE(message.length, 1); // uncompressed, then the length
          const req = session.request({ ':method': 'POST', ':path': '/weft.test.Echo/Slow', 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '200m' });
          req.end(Buffer.concat([prefix, message]));
          const [h, flags] = (await once(req, 'response')) as [http2.IncomingHttpHeaders, number];
          assert.equal(h[':status'], 200);
          assert.equal(h['grpc-status'], String(grpc.status.DEADLINE_EXCEEDED));
          assert.equal(h['x-weft-error'], 'upstream_timeout');
          assert.ok(flags & http2.constants.NGHTTP2_FLAG_END_STREAM, 'trailers-only');
          req.resume();
        } finally {
          session.destroy();
        }
        await until(() => upstreamStreams.length === 1 && upstreamStreams[0]!.closed, 10_000, 'the upstream stream closed');
        assert.equal(upstreamStreams[0]!.rstCode, http2.constants.NGHTTP2_CANCEL);
        assert.equal(upstreamStreams[0]!.sentHeaders, undefined, 'the upstream never answered');
      },
      { clusterPort: (silent.address() as import('node:net').AddressInfo).port },
    );
  } finally {
    for (const s of upstreamStreams) s.close();
    silent.close();
  }
});

test('gRPC-shaped local errors: UNAVAILABLE when the upstream is down, UNIMPLEMENTED without a route', async () => {
  const dead = await startRawUpstream();
  const deadPort = dead.port;
  await dead.close();
  await withProxy(
    async (client) => {
      const r = await unary(client, 'unary', { name: 'x' });
      assert.equal(r.error?.code, grpc.status.UNAVAILABLE);
      assert.equal(r.trailing?.get('x-weft-error')[0], 'upstream_connect_failed');
    },
    { clusterPort: deadPort },
  );
  await withProxy(
    async (client) => {
      const r = await unary(client, 'unary', { name: 'x' });
      assert.equal(r.error?.code, grpc.status.UNIMPLEMENTED);
    },
    { routePrefix: '/other.Service/' },
  );
});

test('gRPC over TLS (h2 by ALPN): unary and bidi streaming', async () => {
  await withProxy(
    async (client) => {
      const r = await unary(client, 'unary', { name: 'secure' });
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.response?.greeting, 'hello secure');
      const call = client.chat!() as grpc.ClientDuplexStream<unknown, Record<string, unknown>>;
      call.write({ text: 'over tls' });
      const [m] = (await once(call, 'data')) as [Record<string, unknown>];
      assert.equal(m.echo, 'over tls');
      call.end();
      const [status] = (await once(call, 'status')) as [grpc.StatusObject];
      assert.equal(status.code, grpc.status.OK);
    },
    { tls: true },
  );
});
