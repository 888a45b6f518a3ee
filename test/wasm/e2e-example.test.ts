// examples/wasm-plugins.yaml: its modules build with the script it names, `weft validate` accepts it, and `weft proxy` runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWeft, ROOT, WeftProcess } from '../ops/weft-process.js';
import { tempDir } from '../ops/fixtures.js';
import { Client, startUpstream } from './e2e-harness.js';

test('examples/wasm-plugins.yaml builds, validates and runs: ext-authz, header rules, a shared counter and its singleton', async (t) => {
  const dir = tempDir(t);
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-example-plugins.mjs'), join(dir, 'plugins')], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(built.status, 0, built.stderr);
  const example = join(dir, 'wasm-plugins.yaml');
  copyFileSync(join(ROOT, 'examples', 'wasm-plugins.yaml'), example);
  const validated = await runWeft(['validate', example]);
  assert.equal(validated.code, 0, validated.stderr + validated.stdout);

  const app = await startUpstream((req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-powered-by': 'node' });
    res.end(`app saw ${req.url}`);
  });
  t.after(() => app.close());
  const authz = await startUpstream((req, _body, res) => {
    res.writeHead(req.headers.authorization === 'Bearer ok' ? 200 : 403, { 'x-auth-user': 'alice' });
    res.end();
  });
  t.after(() => authz.close());
  // The same file with free ports: the listener on an ephemeral port, the clusters on the test's servers.
  const text = readFileSync(example, 'utf8')
    .replace('address: 127.0.0.1:8080', 'address: 127.0.0.1:0')
    .replace('address: 127.0.0.1:9000', `address: 127.0.0.1:${app.port}`)
    .replace('address: 127.0.0.1:9100', `address: 127.0.0.1:${authz.port}`);
  const runnable = join(dir, 'run.yaml');
  writeFileSync(runnable, text);
  const weft = new WeftProcess(['proxy', '--config', runnable]);
  t.after(() => weft.stop());
  const ready = await weft.waitForMsg('weft serving');
  const port = Number(String((ready.listeners as Record<string, string>).ingress).split(':').pop());
  const client = new Client(port);
  t.after(() => client.close());

  const denied = await client.send('/orders', { headers: { authorization: 'Bearer nope' } });
  assert.equal(denied.status, 403);
  assert.equal(app.seen.length, 0);
  for (let i = 1; i <= 3; i++) {
    const ok = await client.send(`/orders/${i}`, { headers: { authorization: 'Bearer ok', 'x-debug': '1' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, `app saw /orders/${i}`);
    assert.equal(ok.headers.server, 'weft');
    assert.equal(ok.headers['x-powered-by'], undefined);
    assert.equal(ok.headers['x-request-count'], String(i), 'the counter plugin, through shared data');
    const seen = app.seen.at(-1)!.headers;
    assert.equal(seen['x-forwarded-by'], 'weft');
    assert.equal(seen['x-debug'], undefined);
    assert.equal(seen['x-auth-user'], 'alice');
  }
  assert.equal(authz.seen.at(-1)!.url, '/check');
  assert.ok(!weft.lines.some((l) => l.component === 'wasm' && (l.level === 'error' || l.level === 'fatal')), 'no plugin errors');
});
