// Tests of loadConfigFile: path resolution, secret and module files, version hashing, errors naming file and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatConfigError } from '../../api/snapshot/index.js';
import { loadConfigFile } from './file-source.js';

const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
// The loader treats PEM as opaque text (TLS code parses it), so any armoured block will do here.
const CERT = `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString('base64')}\n-----END CERTIFICATE-----\n`;

const CONFIG = `# test config
listeners:
  - name: web
    address: 127.0.0.1:8080
    http:
      route_table: main
      filter_chain: edge
route_tables:
  - name: main
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { path: { prefix: / } }
            forward: { cluster: demo }
clusters:
  - name: demo
    endpoints: [{ address: 127.0.0.1:8081 }]
secrets:
  - name: tls
    certificate_file: certs/cert.pem
    private_key_file: certs/key.pem
  - name: bundle
    ca: "-----BEGIN CERTIFICATE-----\\ninline\\n-----END CERTIFICATE-----\\n"
plugins:
  - name: hello
    module: { file: plugins/hello.wasm }
    filter_chains: [edge]
`;

function workspace(files: Record<string, string | Buffer> = {}): { dir: string; path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'weft-file-source-'));
  mkdirSync(join(dir, 'conf', 'certs'), { recursive: true });
  mkdirSync(join(dir, 'conf', 'plugins'), { recursive: true });
  const all: Record<string, string | Buffer> = {
    'conf/weft.yaml': CONFIG,
    'conf/certs/cert.pem': CERT,
    'conf/certs/key.pem': KEY,
    'conf/plugins/hello.wasm': Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    ...files,
  };
  for (const [name, data] of Object.entries(all)) writeFileSync(join(dir, name), data);
  return { dir, path: join(dir, 'conf', 'weft.yaml'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('resolves files relative to the config file and inlines secret PEM text', async (t) => {
  const ws = workspace();
  t.after(ws.cleanup);
  const res = await loadConfigFile(ws.path);
  assert.ok(res.ok, JSON.stringify(!res.ok && res.error));
  const s = res.value.snapshot;
  assert.equal(s.secrets[0]!.certificate, CERT);
  assert.equal(s.secrets[0]!.private_key, KEY);
  assert.equal(s.secrets[0]!.certificate_file, undefined);
  assert.equal(s.secrets[0]!.private_key_file, undefined);
  assert.match(s.secrets[1]!.ca!, /inline/);
  const wasm = join(ws.dir, 'conf', 'plugins', 'hello.wasm');
  assert.equal(s.plugins[0]!.module.file, wasm);
  assert.equal(s.plugins[0]!.module.sha256, createHash('sha256').update(readFileSync(wasm)).digest('hex'));
  assert.deepEqual(res.value.files, [
    join(ws.dir, 'conf', 'weft.yaml'),
    join(ws.dir, 'conf', 'certs', 'cert.pem'),
    join(ws.dir, 'conf', 'certs', 'key.pem'),
    wasm,
  ]);
  assert.match(s.version!, /^[0-9a-f]{16}$/);
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.secrets[0]) && Object.isFrozen(s.plugins[0]!.module));
});

test('the version changes with the config text and with every referenced file, and only then', async (t) => {
  const ws = workspace();
  t.after(ws.cleanup);
  const version = async () => {
    const r = await loadConfigFile(ws.path);
    assert.ok(r.ok);
    return r.value.snapshot.version!;
  };
  const v1 = await version();
  assert.equal(await version(), v1, 'same content, same version');
  writeFileSync(join(ws.dir, 'conf', 'certs', 'cert.pem'), CERT.replace('CERTIFICATE-----\n', 'CERTIFICATE-----\nAAAA'));
  const v2 = await version();
  assert.notEqual(v2, v1, 'a changed certificate changes the version');
  writeFileSync(join(ws.dir, 'conf', 'plugins', 'hello.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0]));
  const v3 = await version();
  assert.notEqual(v3, v2, 'a changed module changes the version');
  writeFileSync(ws.path, CONFIG.replace('# test config', '# edited'));
  assert.notEqual(await version(), v3, 'a changed config text changes the version');
});

test('a missing secret file is an error naming the field, the path and the line', async (t) => {
  const ws = workspace();
  t.after(ws.cleanup);
  rmSync(join(ws.dir, 'conf', 'certs', 'key.pem'));
  const res = await loadConfigFile(ws.path);
  assert.ok(!res.ok);
  assert.equal(res.error.length, 1);
  const e = res.error[0]!;
  assert.equal(e.file, ws.path);
  assert.equal(e.path, 'secrets[0].private_key_file');
  assert.equal(e.line, 22);
  assert.ok(e.message.includes(join(ws.dir, 'conf', 'certs', 'key.pem')), e.message);
  assert.match(e.message, /no such file/);
  assert.match(formatConfigError(e), /weft\.yaml:22:\d+: secrets\[0\]\.private_key_file: cannot read/);
});

test('every unreadable file is reported, not only the first', async (t) => {
  const ws = workspace();
  t.after(ws.cleanup);
  rmSync(join(ws.dir, 'conf', 'certs', 'cert.pem'));
  rmSync(join(ws.dir, 'conf', 'plugins', 'hello.wasm'));
  const res = await loadConfigFile(ws.path);
  assert.ok(!res.ok);
  assert.deepEqual(
    res.error.map((e) => e.path),
    ['secrets[0].certificate_file', 'plugins[0].module.file'],
  );
});

test('a secret file without a PEM block is rejected', async (t) => {
  const ws = workspace({ 'conf/certs/cert.pem': 'not a certificate\n' });
  t.after(ws.cleanup);
  const res = await loadConfigFile(ws.path);
  assert.ok(!res.ok);
  assert.equal(res.error[0]!.path, 'secrets[0].certificate_file');
  assert.match(res.error[0]!.message, /no PEM block/);
});

test('a module whose file does not have the stated sha256 is rejected', async (t) => {
  const ws = workspace();
  t.after(ws.cleanup);
  writeFileSync(ws.path, CONFIG.replace('module: { file: plugins/hello.wasm }', `module: { file: plugins/hello.wasm, sha256: "${'0'.repeat(64)}" }`));
  const res = await loadConfigFile(ws.path);
  assert.ok(!res.ok);
  assert.equal(res.error[0]!.path, 'plugins[0].module.sha256');
  assert.match(res.error[0]!.message, /does not match/);
});

test('absolute paths are kept; JSON configs load too', async (t) => {
  const ws = workspace();
  t.after(ws.cleanup);
  const abs = join(ws.dir, 'conf', 'certs', 'key.pem');
  const json = JSON.stringify({
    clusters: [{ name: 'c', endpoints: [] }],
    secrets: [{ name: 's', certificate_file: 'certs/cert.pem', private_key_file: abs }],
  });
  const path = join(ws.dir, 'conf', 'weft.json');
  writeFileSync(path, json);
  const res = await loadConfigFile(path);
  assert.ok(res.ok, JSON.stringify(!res.ok && res.error));
  assert.equal(res.value.snapshot.secrets[0]!.private_key, KEY);
  assert.equal(res.value.files[2], abs);
});

test('an unreadable config file and schema errors come back as errors naming the file', async (t) => {
  const ws = workspace();
  t.after(ws.cleanup);
  const missing = await loadConfigFile(join(ws.dir, 'nope.yaml'));
  assert.ok(!missing.ok);
  assert.match(formatConfigError(missing.error[0]!), /nope\.yaml: cannot read the file: no such file/);

  writeFileSync(ws.path, CONFIG.replace('address: 127.0.0.1:8081', 'address: nowhere'));
  const bad = await loadConfigFile(ws.path);
  assert.ok(!bad.ok);
  assert.equal(bad.error[0]!.path, 'clusters[0].endpoints[0].address');
  assert.equal(bad.error[0]!.line, 18);
});

test('random corruption of the config never throws (fuzz)', async (t) => {
  const ws = workspace();
  t.after(ws.cleanup);
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = ' \n\t:-[]{}"\'#&*!|>%@`,0aZ\u0000\u00e9';
  for (let i = 0; i < 150; i++) {
    const chars = [...CONFIG];
    for (let m = 0; m <= rand(4); m++) {
      const at = rand(chars.length);
      const op = rand(3);
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, alphabet[rand(alphabet.length)]!);
      else chars[at] = alphabet[rand(alphabet.length)]!;
    }
    writeFileSync(ws.path, chars.join(''));
    const res = await loadConfigFile(ws.path);
    if (!res.ok) {
      assert.ok(res.error.length > 0);
      for (const e of res.error) assert.equal(e.file, ws.path);
    }
  }
});
