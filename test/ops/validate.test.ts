// `weft validate` on good and bad files: exit codes, and messages naming file, line and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runWeft } from './weft-process.js';

const GOOD = `listeners:
  - name: web
    address: 127.0.0.1:8080
    http: { route_table: main }
route_tables:
  - name: main
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - forward: { cluster: demo }
clusters:
  - name: demo
    endpoints: [{ address: 127.0.0.1:8081 }]
`;

function dir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'weft-validate-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('examples/standalone.yaml validates, and every other example has no error but a file it expects to be built', async () => {
  const r = await runWeft(['validate', 'examples/standalone.yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'examples/standalone.yaml: ok\n');
  const others = readdirSync(join(ROOT, 'examples'))
    .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'standalone.yaml')
    .map((f) => `examples/${f}`);
  if (others.length === 0) return;
  const all = await runWeft(['validate', ...others]);
  for (const line of all.stderr.trimEnd().split('\n').filter(Boolean)) {
    assert.match(line, /^examples\/[^:]+:\d+:\d+: [\w.[\]]+: cannot read ".*": no such file$/, line);
  }
});

test('a good file prints "FILE: ok" and exits 0', async (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'weft.yaml'), GOOD);
  const r = await runWeft(['validate', 'weft.yaml'], { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'weft.yaml: ok\n');
});

test('a bad file prints one line per error naming file, line and field, and exits 1', async (t) => {
  const d = dir(t);
  const bad = GOOD.replace('address: 127.0.0.1:8081', 'address: localhost').replace('forward: { cluster: demo }', 'forward: { cluster: nowhere }');
  writeFileSync(join(d, 'bad.yaml'), bad);
  const r = await runWeft(['validate', 'bad.yaml'], { cwd: d });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, 'schema errors come first; semantic checks run on a schema-valid document');
  assert.match(lines[0]!, /^bad\.yaml:14:\d+: clusters\[0\]\.endpoints\[0\]\.address: "localhost" is not an address/);

  writeFileSync(join(d, 'bad.yaml'), GOOD.replace('forward: { cluster: demo }', 'forward: { cluster: nowhere }').replace('route_table: main', 'route_table: other'));
  const r2 = await runWeft(['validate', 'bad.yaml'], { cwd: d });
  assert.equal(r2.code, 1);
  const lines2 = r2.stderr.trimEnd().split('\n');
  assert.equal(lines2.length, 2);
  assert.match(lines2[0]!, /^bad\.yaml:4:\d+: listeners\[0\]\.http\.route_table: no route table named "other"$/);
  assert.match(lines2[1]!, /^bad\.yaml:11:\d+: route_tables\[0\]\.virtual_hosts\[0\]\.routes\[0\]\.forward\.cluster: no cluster named "nowhere"$/);
});

test('a missing referenced file and unparseable YAML are errors; several files are checked in one run', async (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'good.yaml'), GOOD);
  writeFileSync(join(d, 'secret.yaml'), `${GOOD}secrets:\n  - name: tls\n    certificate_file: certs/missing.pem\n    private_key_file: certs/missing-key.pem\n`);
  writeFileSync(join(d, 'broken.yaml'), 'listeners: [\n');
  const r = await runWeft(['validate', 'good.yaml', 'secret.yaml', 'broken.yaml', 'absent.yaml'], { cwd: d });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'good.yaml: ok\n');
  const lines = r.stderr.trimEnd().split('\n');
  assert.match(lines[0]!, /^secret\.yaml:17:\d+: secrets\[0\]\.certificate_file: cannot read ".*certs\/missing\.pem": no such file$/);
  assert.match(lines[1]!, /^secret\.yaml:18:\d+: secrets\[0\]\.private_key_file: cannot read/);
  assert.match(lines[2]!, /^broken\.yaml:\d+:\d+: /);
  assert.equal(lines.at(-1), 'absent.yaml: cannot read the file: no such file');
});
