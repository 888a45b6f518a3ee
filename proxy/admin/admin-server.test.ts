// Tests of the admin listener over real HTTP: endpoints, errors, readiness, redaction, runtime log levels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Counter, Registry } from 'prom-client';
import { parseSnapshot, type Snapshot } from '../../api/snapshot/index.js';
import { Logging } from '../../lib/log.js';
import { AdminServer, type AdminState, type ServingState } from './admin-server.js';

const KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGx0b3BzZWNyZXRrZXltYXRlcmlhbDEyMzQ1Ng==\n-----END PRIVATE KEY-----\n';

function snapshot(): Snapshot {
  const r = parseSnapshot(`
listeners:
  - name: web
    address: 127.0.0.1:8080
    http: { route_table: main }
route_tables:
  - name: main
    virtual_hosts: [{ name: all, domains: ["*"], routes: [{ forward: { cluster: demo } }] }]
clusters: [{ name: demo, endpoints: [{ address: 127.0.0.1:8081 }] }]
secrets:
  - name: tls
    certificate: "-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n"
    private_key: ${JSON.stringify(KEY)}
`);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  return { ...r.value, version: 'abc123' };
}

const body = async (r: Response): Promise<any> => r.json();

/** Log lines written by a Logging instance, parsed. */
function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, stream };
}

async function setup(t: { after: (fn: () => Promise<void> | void) => void }) {
  const { lines, stream } = capture();
  const logging = new Logging({ level: 'info', destination: stream });
  const registry = new Registry();
  const requests = new Counter({ name: 'weft_test_requests_total', help: 'test', labelNames: ['code_class'], registers: [registry] });
  requests.inc({ code_class: '2xx' }, 3);
  let state: ServingState = 'starting';
  let live: Snapshot | undefined;
  const admin: AdminState = {
    state: () => state,
    snapshot: () => live,
    metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
    logLevels: () => logging.levels(),
    setLogLevel: (c, l) => logging.setLevel(c, l),
    listeners: () => ({ web: '127.0.0.1:8080' }),
    workers: () => [{ id: 0, pid: process.pid, state: 'serving', version: live?.version, restarts: 0 }],
  };
  const server = new AdminServer(admin, logging.logger('admin'));
  const addr = await server.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const base = `http://127.0.0.1:${addr.port}`;
  return {
    base,
    lines,
    logging,
    server,
    setState: (s: ServingState) => (state = s),
    setSnapshot: (s: Snapshot) => (live = s),
  };
}

test('/ready answers 503 while starting and draining, 200 while serving', async (t) => {
  const a = await setup(t);
  let r = await fetch(`${a.base}/ready`);
  assert.equal(r.status, 503);
  assert.equal(await r.text(), 'starting\n');
  a.setState('serving');
  r = await fetch(`${a.base}/ready`);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'ready\n');
  a.setState('draining');
  r = await fetch(`${a.base}/ready`);
  assert.equal(r.status, 503);
  assert.equal(await r.text(), 'draining\n');
});

test('/stats/prometheus serves the registry in the Prometheus text format', async (t) => {
  const a = await setup(t);
  const r = await fetch(`${a.base}/stats/prometheus`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  assert.match(await r.text(), /^weft_test_requests_total\{code_class="2xx"\} 3$/m);
});

test('/config_dump shows the live Snapshot with the private key redacted', async (t) => {
  const a = await setup(t);
  let r = await fetch(`${a.base}/config_dump`);
  assert.equal(r.status, 503, 'nothing to dump before the first apply');
  await r.body?.cancel();
  a.setSnapshot(snapshot());
  r = await fetch(`${a.base}/config_dump`);
  assert.equal(r.status, 200);
  const text = await r.text();
  assert.ok(!text.includes('bG9wc2VjcmV0'), 'no part of the key is shown');
  assert.ok(!text.includes('PRIVATE KEY'));
  const dump = JSON.parse(text);
  assert.equal(dump.version, 'abc123');
  assert.match(dump.secrets[0].private_key, /^\[redacted sha256:[0-9a-f]{8}\]$/);
  assert.match(dump.secrets[0].certificate, /BEGIN CERTIFICATE/, 'certificates are public and kept');
  assert.equal(dump.listeners[0].address, '127.0.0.1:8080', 'shown in config-file notation');
  assert.equal(dump.listeners[0].http.drain_timeout, '15000ms');
});

test('POST /logging changes a component level at runtime and the change takes effect', async (t) => {
  const a = await setup(t);
  const log = a.logging.logger('http');
  log.debug('before');
  assert.ok(!a.lines.some((l) => l.msg === 'before'));
  let r = await fetch(`${a.base}/logging?component=http&level=debug`, { method: 'POST' });
  assert.equal(r.status, 200);
  assert.equal((await body(r)).levels.http, 'debug');
  log.debug('after');
  assert.ok(a.lines.some((l) => l.msg === 'after' && l.component === 'http'));
  r = await fetch(`${a.base}/logging`);
  const levels = (await body(r)).levels;
  assert.equal(levels.http, 'debug');
  assert.equal(levels['*'], 'info');

  r = await fetch(`${a.base}/logging?level=error`, { method: 'POST' });
  assert.equal((await body(r)).levels.http, 'error', 'no component: every component');
  r = await fetch(`${a.base}/logging?component=http&level=loud`, { method: 'POST' });
  assert.equal(r.status, 400);
  assert.match((await body(r)).message, /level must be one of trace, debug/);
  r = await fetch(`${a.base}/logging?component=${encodeURIComponent('a b')}&level=info`, { method: 'POST' });
  assert.equal(r.status, 400);
  await r.body?.cancel();
});

test('unknown paths answer 404 and wrong methods 405, as JSON; / lists every endpoint', async (t) => {
  const a = await setup(t);
  let r = await fetch(`${a.base}/nope`);
  assert.equal(r.status, 404);
  assert.equal((await body(r)).error, 'not_found');
  r = await fetch(`${a.base}/ready`, { method: 'DELETE' });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET, HEAD');
  assert.equal((await body(r)).error, 'method_not_allowed');
  r = await fetch(`${a.base}/config_dump`, { method: 'POST' });
  assert.equal(r.status, 405);
  await r.body?.cancel();
  r = await fetch(`${a.base}/ready`, { method: 'HEAD' });
  assert.equal(r.status, 503);
  r = await fetch(`${a.base}/`);
  const paths = (await body(r)).endpoints.map((e: { path: string }) => e.path);
  assert.deepEqual(paths, ['/', '/ready', '/stats/prometheus', '/config_dump', '/logging', '/listeners', '/workers']);
  r = await fetch(`${a.base}/listeners`);
  assert.deepEqual((await body(r)).listeners, { web: '127.0.0.1:8080' });
  r = await fetch(`${a.base}/workers`);
  assert.equal((await body(r)).workers[0].pid, process.pid);
});

test('rebind moves the admin to a new port and a busy address keeps the old one', async (t) => {
  const a = await setup(t);
  const moved = await a.server.rebind({ host: '127.0.0.1', port: 0 });
  const r = await fetch(`http://127.0.0.1:${moved.port}/ready`);
  assert.equal(r.status, 503);
  await r.body?.cancel();
  await assert.rejects(fetch(`${a.base}/ready`), 'the old port is closed');
  await assert.rejects(a.server.rebind({ host: '127.0.0.1', port: moved.port }), /cannot listen on 127\.0\.0\.1:\d+ \(admin\)/);
  const still = await fetch(`http://127.0.0.1:${moved.port}/ready`);
  assert.equal(still.status, 503);
  await still.body?.cancel();
});
