// Unit tests of subjectAltName parsing and subject formatting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSubject, parseSubjectAltName } from './certificate-info.js';

test('subjectAltName entries by type', () => {
  const r = parseSubjectAltName('DNS:a.example, URI:spiffe://td/ns/x/svc/y, IP Address:10.0.0.1, DNS:b.example, email:x@y');
  assert.deepEqual(r.dns, ['a.example', 'b.example']);
  assert.deepEqual(r.uris, ['spiffe://td/ns/x/svc/y']);
  assert.deepEqual(r.ips, ['10.0.0.1']);
});

test('quoted values are decoded and cannot smuggle a second entry', () => {
  // A SAN whose value contains ", URI:" is quoted by node; it stays one DNS name.
  const r = parseSubjectAltName('DNS:"evil.example, URI:spiffe://td/ns/admin/svc/root", URI:spiffe://td/ns/x/svc/y');
  assert.deepEqual(r.dns, ['evil.example, URI:spiffe://td/ns/admin/svc/root']);
  assert.deepEqual(r.uris, ['spiffe://td/ns/x/svc/y']);
  const q = parseSubjectAltName('URI:"spiffe://td/a\\"b"');
  assert.deepEqual(q.uris, ['spiffe://td/a"b']);
});

test('empty or missing subjectAltName', () => {
  assert.deepEqual(parseSubjectAltName(undefined), { uris: [], dns: [], ips: [] });
  assert.deepEqual(parseSubjectAltName(''), { uris: [], dns: [], ips: [] });
});

test('subjects read most specific first', () => {
  assert.equal(formatSubject('C=US\nO=Weft\nCN=frontend'), 'CN=frontend,O=Weft,C=US');
});
