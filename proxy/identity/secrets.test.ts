// Unit tests of the secret store: inline PEM, files relative to the config, and errors naming secret and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore } from './secrets.js';

test('inline material, files relative to the base directory, and what is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-secrets-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), 'CA-PEM');
    const store = new SecretStore(
      [
        { name: 'inline', certificate: 'CERT', private_key: 'KEY' },
        { name: 'bundle', ca_file: 'ca.pem' },
        { name: 'missing-file', ca_file: 'nope.pem' },
      ],
      { baseDir: dir },
    );
    const c = store.certificate('inline');
    assert.ok(c.ok);
    assert.deepEqual(c.value, { certificate: 'CERT', privateKey: 'KEY' });
    const ca = store.ca('bundle');
    assert.ok(ca.ok);
    assert.equal(ca.value, 'CA-PEM');
    const noCert = store.certificate('bundle');
    assert.equal(noCert.ok, false);
    if (!noCert.ok) assert.match(noCert.error.message, /secret "bundle" has no certificate and private key/);
    const noCa = store.ca('inline');
    assert.equal(noCa.ok, false);
    const unknown = store.get('other');
    assert.equal(unknown.ok, false);
    if (!unknown.ok) assert.equal(unknown.error.code, 'secret_not_found');
    const unreadable = store.ca('missing-file');
    assert.equal(unreadable.ok, false);
    if (!unreadable.ok) assert.match(unreadable.error.message, /secret "missing-file": cannot read ca_file .*nope\.pem/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
