// Tests of the config worker thread: it loads and redacts exactly as the in-thread functions do, and reports a dead thread as an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactSnapshot } from '../admin/redact.js';
import { loadConfigInWorker, redactInWorker, runConfigTask } from './config-worker.js';
import { loadConfigFile } from './file-source.js';

const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const CONFIG = `listeners:
  - name: web
    address: 127.0.0.1:8080
    http: { route_table: main, idle_timeout: 90s }
route_tables:
  - name: main
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { path: { prefix: / } }
            forward: { cluster: demo, timeout: 2s }
clusters:
  - name: demo
    endpoints: [{ address: "[::1]:8081" }]
secrets:
  - name: key
    certificate_file: cert.pem
    private_key_file: key.pem
`;

function workspace(config: string): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'weft-config-worker-'));
  writeFileSync(join(dir, 'weft.yaml'), config);
  writeFileSync(join(dir, 'key.pem'), KEY);
  // Config loading checks that both files are there; it does not parse the certificate.
  writeFileSync(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  return { path: join(dir, 'weft.yaml'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('loads the same frozen Snapshot and file list as loadConfigFile', async (t) => {
  const ws = workspace(CONFIG);
  t.after(ws.cleanup);
  const here = await loadConfigFile(ws.path);
  const there = await loadConfigInWorker(ws.path);
  assert.ok(here.ok && there.ok, JSON.stringify(!there.ok && there.error));
  assert.deepEqual(there.value, here.value);
  const s = there.value.snapshot;
  assert.equal(s.listeners[0]!.http!.idle_timeout, 90_000);
  assert.deepEqual(s.clusters[0]!.endpoints[0]!.address, { host: '::1', port: 8081 });
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.clusters[0]!.endpoints[0]!.address) && Object.isFrozen(there.value.files));
});

test('returns the same errors, with file, field and line, for an invalid file', async (t) => {
  const ws = workspace(CONFIG.replace('address: 127.0.0.1:8080', 'address: nowhere'));
  t.after(ws.cleanup);
  const here = await loadConfigFile(ws.path);
  const there = await loadConfigInWorker(ws.path);
  assert.ok(!here.ok && !there.ok);
  assert.deepEqual(there.error, here.error);
  assert.equal(there.error[0]!.path, 'listeners[0].address');
  assert.equal(there.error[0]!.line, 3);
});

test('a missing file is a ConfigError naming it', async () => {
  const res = await loadConfigInWorker('/nonexistent/weft.yaml');
  assert.ok(!res.ok);
  assert.equal(res.error[0]!.file, '/nonexistent/weft.yaml');
  assert.match(res.error[0]!.message, /no such file/);
});

test('redacts a Snapshot exactly as redactSnapshot does', async (t) => {
  const ws = workspace(CONFIG);
  t.after(ws.cleanup);
  const loaded = await loadConfigInWorker(ws.path);
  assert.ok(loaded.ok);
  const dump = (await redactInWorker(loaded.value.snapshot)) as { secrets: { private_key: string }[]; listeners: { http: { idle_timeout: unknown } }[] };
  assert.deepEqual(dump, redactSnapshot(loaded.value.snapshot));
  assert.match(dump.secrets[0]!.private_key, /^\[redacted sha256:[0-9a-f]{8}\]$/);
  assert.equal(dump.listeners[0]!.http.idle_timeout, '90000ms');
});

test('a task the worker cannot run rejects with config_worker_failed', async () => {
  await assert.rejects(runConfigTask({ kind: 'nonsense' } as never), (e: Error & { code?: string }) => e.code === 'config_worker_failed');
});
