// The admin listener of a running proxy: readiness, metric names, redacted config dump, runtime log levels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WeftProcess } from './weft-process.js';
import { configText, getText, serving, tempDir, TestUpstream } from './fixtures.js';

const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

test('admin endpoints of a running proxy', async (t) => {
  const upstream = await TestUpstream.start(t, 'up');
  const dir = tempDir(t);
  writeFileSync(join(dir, 'key.pem'), KEY);
  writeFileSync(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const path = join(dir, 'weft.yaml');
  writeFileSync(
    path,
    configText({
      clusters: { up: upstream.port },
      routes: [{ prefix: '/', cluster: 'up' }],
      extra: { secrets: [{ name: 'tls', certificate_file: 'cert.pem', private_key_file: 'key.pem' }] },
    }),
  );
  const weft = new WeftProcess(['proxy', '--config', path, '--no-watch']);
  t.after(() => weft.stop());
  const { admin, web } = await serving(weft);

  const ready = await getText(`${admin}/ready`);
  assert.equal(ready.status, 200);
  assert.equal(ready.text, 'ready\n');

  for (let i = 0; i < 3; i++) assert.equal((await getText(`${web}/x`)).status, 200);
  const metrics = (await getText(`${admin}/stats/prometheus`)).text;
  for (const name of [
    'weft_http_requests_total',
    'weft_http_upstream_duration_seconds',
    'weft_downstream_connections_active',
    'weft_downstream_connections_total',
    'weft_upstream_connections_active',
    'weft_config_version_info',
    'weft_config_applies_total',
    'process_resident_memory_bytes',
  ]) {
    assert.match(metrics, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
  assert.match(metrics, /^weft_http_requests_total\{[^}]*listener="web"[^}]*code_class="2xx"[^}]*\} 3$/m);

  const dumpText = (await getText(`${admin}/config_dump`)).text;
  const keyBody = KEY.split('\n')[1]!;
  assert.ok(!dumpText.includes(keyBody), 'the private key is not in the dump');
  const dump = JSON.parse(dumpText) as { secrets: { private_key: string; certificate: string; private_key_file?: string }[] };
  assert.match(dump.secrets[0]!.private_key, /^\[redacted sha256:[0-9a-f]{8}\]$/);
  assert.match(dump.secrets[0]!.certificate, /BEGIN CERTIFICATE/);

  // Log levels: "config unchanged" is a debug line, hidden at the default level.
  const set = await getText(`${admin}/logging?component=config&level=debug`, { method: 'POST' });
  assert.equal(set.status, 200);
  assert.equal((JSON.parse(set.text) as { levels: Record<string, string> }).levels.config, 'debug');
  weft.signal('SIGHUP');
  const line = await weft.waitForMsg('config unchanged');
  assert.equal(line.component, 'config');
  assert.equal(line.reason, 'SIGHUP');
});
