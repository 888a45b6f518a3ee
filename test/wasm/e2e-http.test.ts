// Wasm plugins through the proxy: headers, bodies, local responses, an ext-authz callout, a timer delay, metrics — real sockets end to end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildE2eFilter, buildSdkExample, Client, config, ModuleDir, startUpstream, startWasmProxy } from './e2e-harness.js';

const dir = new ModuleDir();
let e2e = '';
let headerRules = '';
let authCallout = '';
before(async () => {
  e2e = await buildE2eFilter(dir);
  headerRules = await buildSdkExample(dir, 'header-rules');
  authCallout = await buildSdkExample(dir, 'auth-callout');
});
after(() => dir.cleanup());

test('headers: add, replace and remove on requests and responses (the SDK header-rules example)', async () => {
  const app = await startUpstream((_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-powered-by': 'node', server: 'node-upstream' });
    res.end('ok');
  });
  const proxy = await startWasmProxy(
    config(
      app.port,
      `  - name: rules
    module: { file: ${headerRules} }
    root_id: header_rules
    filter_chains: [edge]
    configuration:
      request: { add: { x-added: one }, set: { x-replaced: new }, remove: [x-secret] }
      response: { set: { server: weft }, remove: [x-powered-by], add: { x-resp: two } }`,
    ),
  );
  const client = new Client(proxy.port());
  try {
    const r = await client.send('/h', { headers: { 'x-replaced': 'old', 'x-secret': 's3cr3t', 'x-kept': 'yes' } });
    assert.equal(r.status, 200);
    const seen = app.seen.at(-1)!.headers;
    assert.equal(seen['x-added'], 'one');
    assert.equal(seen['x-replaced'], 'new');
    assert.equal(seen['x-secret'], undefined);
    assert.equal(seen['x-kept'], 'yes');
    assert.equal(r.headers.server, 'weft');
    assert.equal(r.headers['x-powered-by'], undefined);
    assert.equal(r.headers['x-resp'], 'two');
    assert.equal(r.body, 'ok');
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});

test('bodies: the request body is rewritten before the upstream sees it, the response body before the client does', async () => {
  const app = await startUpstream((_req, body, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(`echo: ${body}`)) });
    res.end(`echo: ${body}`);
  });
  const proxy = await startWasmProxy(config(app.port, `  - { name: body, vm_id: body, module: { file: ${e2e} }, configuration: { mode: body }, filter_chains: [edge] }`));
  const client = new Client(proxy.port());
  try {
    for (const body of ['ping', 'ping ping and ping again', 'p'.repeat(5000) + 'ping', 'x'.repeat(70_000) + 'ping']) {
      const r = await client.send('/b', { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
      assert.equal(r.status, 200);
      const expected = body.replaceAll('ping', 'pong');
      assert.equal(app.seen.at(-1)!.body, expected, 'upstream got the rewritten request body');
      assert.equal(r.body, `ECHO: ${expected}`.toUpperCase(), 'client got the rewritten response body');
    }
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});

test('local response: the filter answers /deny itself (status, headers, body); the upstream never sees it', async () => {
  const app = await startUpstream();
  const proxy = await startWasmProxy(config(app.port, `  - { name: local, vm_id: local, module: { file: ${e2e} }, configuration: { mode: local }, filter_chains: [edge] }`));
  const client = new Client(proxy.port());
  try {
    const denied = await client.send('/deny/this');
    assert.equal(denied.status, 403);
    assert.equal(denied.headers['x-denied-by'], 'e2e');
    assert.equal(denied.body, 'denied by wasm\n');
    assert.equal(app.seen.length, 0);
    const allowed = await client.send('/allow');
    assert.equal(allowed.status, 200);
    assert.equal(app.seen.length, 1);
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});

test('ext-authz: the request pauses, an HTTP callout asks a real auth service, then resumes (2xx) or is denied (403)', async () => {
  const app = await startUpstream();
  const auth = await startUpstream((req, _body, res) => {
    if (req.headers.authorization === 'Bearer good') {
      res.writeHead(200, { 'x-auth-user': 'alice' });
      res.end();
    } else {
      res.writeHead(401);
      res.end('no');
    }
  });
  const proxy = await startWasmProxy(
    config(app.port, `  - { name: authz, vm_id: authz, root_id: auth_callout, module: { file: ${authCallout} }, configuration: { cluster: auth, path: /check, timeout_ms: 2000 }, filter_chains: [edge] }`, {
      clusters: `  - name: auth\n    endpoints: [{ address: 127.0.0.1:${auth.port} }]`,
    }),
  );
  const client = new Client(proxy.port());
  try {
    const ok = await client.send('/private', { headers: { authorization: 'Bearer good' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'hello from upstream');
    assert.equal(auth.seen.at(-1)!.url, '/check');
    assert.equal(auth.seen.at(-1)!.headers.authorization, 'Bearer good');
    assert.equal(app.seen.at(-1)!.headers['x-auth-user'], 'alice', 'header from the auth answer copied onto the resumed request');
    const denied = await client.send('/private', { headers: { authorization: 'Bearer bad' } });
    assert.equal(denied.status, 403);
    assert.equal(app.seen.length, 1, 'a denied request never reaches the upstream');
    // several paused at once
    const many = await Promise.all(Array.from({ length: 6 }, (_, i) => client.send(`/p${i}`, { headers: { authorization: i % 2 ? 'Bearer good' : 'Bearer bad' } })));
    assert.deepEqual(many.map((r) => r.status), [403, 200, 403, 200, 403, 200]);
    // the auth service is gone: as Envoy's async client does, the host hands the filter a 503
    // answer (connect failure), which this filter takes as "authorization unavailable"
    await auth.close();
    const down = await client.send('/private', { headers: { authorization: 'Bearer good' } });
    assert.equal(down.status, 503);
    assert.match(down.body, /authorization unavailable/);
    const metrics = await proxy.registry.metrics();
    assert.match(metrics, /weft_wasm_auth_callout_allowed_total\{plugin="authz"\} 4/);
    assert.match(metrics, /weft_wasm_auth_callout_denied_total\{plugin="authz"\} 4/);
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});

test('timer: requests are held on the root context until its tick, then resumed (with the header it set)', async () => {
  const app = await startUpstream();
  const proxy = await startWasmProxy(config(app.port, `  - { name: delay, vm_id: delay, module: { file: ${e2e} }, configuration: { mode: delay, delay_ms: 150 }, filter_chains: [edge] }`));
  const client = new Client(proxy.port());
  try {
    const t0 = performance.now();
    const replies = await Promise.all([client.send('/a'), client.send('/b'), client.send('/c')]);
    const elapsed = performance.now() - t0;
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 200]);
    assert.ok(elapsed >= 140, `held about 150 ms (took ${elapsed.toFixed(0)} ms)`);
    assert.deepEqual(app.seen.map((s) => s.headers['x-delayed-ms']), ['150', '150', '150']);
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});

test('metrics: a plugin counter and histogram appear on the registry with the plugin label', async () => {
  const app = await startUpstream();
  const proxy = await startWasmProxy(config(app.port, `  - { name: counted, vm_id: count, module: { file: ${e2e} }, configuration: { mode: count }, filter_chains: [edge] }`));
  const client = new Client(proxy.port());
  try {
    for (let i = 0; i < 5; i++) assert.equal((await client.send(`/m/${'x'.repeat(i)}`)).status, 200);
    const text = await proxy.registry.metrics();
    assert.match(text, /weft_wasm_e2e_requests_total\{plugin="counted"\} 5/);
    assert.match(text, /weft_wasm_e2e_request_path_bytes_count\{plugin="counted"\} 5/);
    assert.match(text, /weft_wasm_active_vms\{plugin="counted"\} 1/);
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});
