// auth-external through `weft proxy` (the real binary and composition root) against a real
// authorization service on a cluster: allow with its headers, relay its denial, fail closed when it
// does not answer in time.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFilter, weftRoot } from '../../sdk/testing/index.js';
import { serving } from '../ops/fixtures.js';
import { WeftProcess } from '../ops/weft-process.js';
import { send, startUpstream } from './proxy.js';

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let authz: Awaited<ReturnType<typeof startUpstream>>;
let weft: WeftProcess;
let port: number;
let dir: string;

before(async () => {
  upstream = await startUpstream();
  authz = await startUpstream((req, _body, res) => {
    if (req.headers.authorization === 'Bearer hang') return; // never answers: the plugin's timeout decides
    if (req.headers.authorization === 'Bearer good') {
      res.writeHead(200, { 'x-user': 'alice' });
      res.end();
    } else {
      res.writeHead(403, { 'content-type': 'text/plain', 'x-reason': 'bad token' });
      res.end('forbidden by policy');
    }
  });
  dir = mkdtempSync(join(tmpdir(), 'weft-e2e-authz-'));
  const wasm = join(dir, 'auth-external.wasm');
  writeFileSync(wasm, (await buildFilter(join(weftRoot, 'plugins', 'auth-external'))).wasm);
  const config = {
    admin: { address: '127.0.0.1:0' },
    listeners: [{ name: 'web', address: '127.0.0.1:0', http: { route_table: 'main', filter_chain: 'edge' } }],
    route_tables: [{ name: 'main', virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { path: { prefix: '/' } }, forward: { cluster: 'app' } }] }] }],
    clusters: [
      { name: 'app', endpoints: [{ address: `127.0.0.1:${upstream.port}` }] },
      { name: 'authz', endpoints: [{ address: `127.0.0.1:${authz.port}` }] },
    ],
    plugins: [
      {
        name: 'auth-external',
        module: { file: wasm },
        filter_chains: ['edge'],
        configuration: { cluster: 'authz', path_prefix: '/check', timeout_ms: 300, allowed_upstream_headers: ['x-user'], allowed_client_headers: ['x-reason'], status_on_error: 503 },
      },
    ],
  };
  writeFileSync(join(dir, 'weft.yaml'), JSON.stringify(config, null, 2));
  weft = new WeftProcess(['proxy', '--config', join(dir, 'weft.yaml'), '--no-watch']);
  port = Number(new URL((await serving(weft)).web).port);
});
after(async () => {
  await weft.stop();
  await upstream.close();
  await authz.close();
  rmSync(dir, { recursive: true, force: true });
});

it('asks the service for every request and follows its verdict', async () => {
  const ok = await send(port, '/orders?id=1', { method: 'POST', headers: { authorization: 'Bearer good', 'content-type': 'application/json' }, body: '{"qty":1}' });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(authz.seen[0]!.url, '/check/orders?id=1');
  assert.equal(authz.seen[0]!.method, 'POST');
  assert.equal(authz.seen[0]!.body, '', 'the body is not sent to the service');
  assert.equal(upstream.seen[0]!.headers['x-user'], 'alice');
  assert.equal(upstream.seen[0]!.body, '{"qty":1}', 'the body held during the check reaches the upstream');

  const denied = await send(port, '/orders', { headers: { authorization: 'Bearer bad' } });
  assert.equal(denied.status, 403);
  assert.equal(denied.body, 'forbidden by policy');
  assert.equal(denied.headers['x-reason'], 'bad token');

  const hung = await send(port, '/orders', { headers: { authorization: 'Bearer hang' } });
  assert.equal(hung.status, 503, 'no answer within timeout_ms: fail closed');
  assert.equal(upstream.seen.length, 1);
});
