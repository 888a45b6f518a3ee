// A gRPC callout from a Wasm filter to a real @grpc/grpc-js server over an HTTP/2 cluster: the reply resumes the request; failures reach the filter as gRPC statuses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { buildE2eFilter, Client, config, ModuleDir, startUpstream, startWasmProxy } from './e2e-harness.js';

const dir = new ModuleDir();
let e2e = '';
before(async () => {
  e2e = await buildE2eFilter(dir);
});
after(() => dir.cleanup());

const raw = (b: Buffer) => b;

/** test.Echo/Say with raw bytes as messages: "echo:" + request; a request "fail" answers PERMISSION_DENIED. */
async function startEcho(): Promise<{ port: number; metadata: Metadata[]; close: () => Promise<void> }> {
  const server = new Server();
  const metadata: Metadata[] = [];
  server.addService(
    { Say: { path: '/test.Echo/Say', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
    {
      Say: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        metadata.push(call.metadata);
        if (call.request.toString() === 'fail') callback({ code: status.PERMISSION_DENIED, details: 'not you' });
        else callback(null, Buffer.concat([Buffer.from('echo:'), call.request]));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { port, metadata, close: () => new Promise((r) => server.tryShutdown(() => r())) };
}

test('gRPC callout: unary call to a grpc-js server, reply resumes the request; an error status and an unreachable service reach the filter', async () => {
  const app = await startUpstream();
  const echo = await startEcho();
  const proxy = await startWasmProxy(
    config(app.port, `  - { name: caller, vm_id: grpc, module: { file: ${e2e} }, configuration: { mode: grpc }, filter_chains: [edge] }`, {
      clusters: `  - name: grpc\n    protocol: http2\n    endpoints: [{ address: 127.0.0.1:${echo.port} }]`,
    }),
  );
  const client = new Client(proxy.port());
  try {
    const ok = await client.send('/g', { headers: { 'x-msg': 'hello' } });
    assert.equal(ok.status, 200);
    assert.equal(app.seen.at(-1)!.headers['x-grpc-reply'], 'echo:hello');
    assert.deepEqual(echo.metadata.at(-1)!.get('x-from'), ['wasm'], 'initial metadata sent with the call');
    // several calls in flight at once on the one HTTP/2 connection
    const many = await Promise.all(Array.from({ length: 8 }, (_, i) => client.send(`/g${i}`, { headers: { 'x-msg': `m${i}` } })));
    assert.deepEqual(many.map((r) => r.status), Array(8).fill(200));
    assert.deepEqual(app.seen.slice(-8).map((s) => s.headers['x-grpc-reply']).sort(), Array.from({ length: 8 }, (_, i) => `echo:m${i}`).sort());
    // an error status from the service
    const denied = await client.send('/g', { headers: { 'x-msg': 'fail' } });
    assert.equal(denied.status, 502);
    assert.equal(denied.headers['x-grpc-status'], String(status.PERMISSION_DENIED));
    assert.match(denied.body, /not you/);
    // the service is gone
    await echo.close();
    const down = await client.send('/g', { headers: { 'x-msg': 'anyone' } });
    assert.equal(down.status, 502);
    assert.equal(down.headers['x-grpc-status'], String(status.UNAVAILABLE));
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});
