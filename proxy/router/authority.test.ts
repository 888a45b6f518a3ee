// normalizeHost / hostPart / portOf: how :authority values are split and compared.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostPart, normalizeHost, portOf } from './authority.js';

describe('authority', () => {
  const cases: [authority: string, normalized: string, host: string, port: string][] = [
    ['example.com', 'example.com', 'example.com', ''],
    ['Example.COM:8080', 'example.com', 'Example.COM', '8080'],
    ['example.com.', 'example.com', 'example.com.', ''],
    ['example.com.:80', 'example.com', 'example.com.', '80'],
    ['example.com:', 'example.com', 'example.com', ''],
    ['[::1]', '[::1]', '[::1]', ''],
    ['[::1]:443', '[::1]', '[::1]', '443'],
    ['[FE80::A]:1', '[fe80::a]', '[FE80::A]', '1'],
    ['[::1', '[::1', '[::1', ''],
    ['::1', '::1', '::1', ''],
    ['10.0.0.1:9', '10.0.0.1', '10.0.0.1', '9'],
    ['', '', '', ''],
    ['.', '', '.', ''],
    [':80', '', '', '80'],
    ['ÄBC.example', 'äbc.example', 'ÄBC.example', ''],
  ];
  for (const [authority, normalized, host, port] of cases) {
    it(JSON.stringify(authority), () => {
      assert.equal(normalizeHost(authority), normalized);
      assert.equal(hostPart(authority), host);
      assert.equal(portOf(authority), port);
    });
  }

  it('returns the same string when nothing changes', () => {
    const s = 'already.normal';
    assert.equal(normalizeHost(s), s);
  });
});
