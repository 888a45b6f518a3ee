// Unit tests of the gRPC helpers: content types, grpc-timeout, status mapping, message encoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundByGrpcTimeout, encodeGrpcMessage, grpcLocalReplyFields, grpcStatusForHttp, isGrpcContentType, parseGrpcTimeout } from './grpc.js';

test('gRPC content types, and not gRPC-Web', () => {
  for (const ct of ['application/grpc', 'application/grpc+proto', 'application/grpc+json', 'application/grpc;charset=utf-8', 'Application/GRPC']) assert.equal(isGrpcContentType(ct), true, ct);
  for (const ct of [undefined, '', 'application/json', 'application/grpc-web', 'application/grpc-web+proto', 'application/grpcx']) assert.equal(isGrpcContentType(ct), false, String(ct));
});

test('grpc-timeout values', () => {
  const cases: [string, number | undefined][] = [
    ['1H', 3_600_000],
    ['2M', 120_000],
    ['5S', 5000],
    ['100m', 100],
    ['1500u', 2],
    ['1n', 1],
    ['99999999S', 99_999_999_000],
    ['0m', 1],
    ['', undefined],
    ['m', undefined],
    ['100', undefined],
    ['100x', undefined],
    ['-1S', undefined],
    ['1.5S', undefined],
    ['123456789S', undefined],
  ];
  for (const [v, want] of cases) assert.equal(parseGrpcTimeout(v), want, v);
  assert.equal(parseGrpcTimeout(undefined), undefined);
});

test('grpc-timeout never throws on arbitrary input', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 5000; i++) {
    const s = Array.from({ length: Math.floor(rnd() * 12) }, () => String.fromCharCode(Math.floor(rnd() * 128))).join('');
    const r = parseGrpcTimeout(s);
    assert.ok(r === undefined || (Number.isFinite(r) && r >= 1), s);
  }
});

test('the route timeout is bounded by the client deadline', () => {
  assert.equal(boundByGrpcTimeout(0, '250m'), 250);
  assert.equal(boundByGrpcTimeout(100, '250m'), 100);
  assert.equal(boundByGrpcTimeout(1000, '250m'), 250);
  assert.equal(boundByGrpcTimeout(1000, undefined), 1000);
  assert.equal(boundByGrpcTimeout(1000, 'bogus'), 1000);
});

test('HTTP statuses of local errors map to gRPC codes', () => {
  assert.equal(grpcStatusForHttp(404), 12);
  assert.equal(grpcStatusForHttp(502), 14);
  assert.equal(grpcStatusForHttp(503), 14);
  assert.equal(grpcStatusForHttp(504), 4);
  assert.equal(grpcStatusForHttp(403), 7);
  assert.equal(grpcStatusForHttp(401), 16);
  assert.equal(grpcStatusForHttp(431), 8);
  assert.equal(grpcStatusForHttp(500), 2);
  assert.equal(grpcStatusForHttp(200), 0);
});

test('grpc-message is percent-encoded only where the spec requires', () => {
  assert.equal(encodeGrpcMessage('plain text: ok'), 'plain text: ok');
  assert.equal(encodeGrpcMessage('100% é\n'), '100%25 %C3%A9%0A');
  assert.equal(decodeURIComponent(encodeGrpcMessage('ünïcode 100%')), 'ünïcode 100%');
});

test('trailers-only reply fields: HTTP 200, application/grpc, status, message; extra fields kept, framing fields not', () => {
  const f = grpcLocalReplyFields(14, 'upstream down', [['x-weft-error', 'upstream_reset'], ['content-type', 'text/plain'], ['content-length', '3']]);
  assert.deepEqual(f, [':status', '200', 'content-type', 'application/grpc', 'grpc-status', '14', 'grpc-message', 'upstream down', 'x-weft-error', 'upstream_reset']);
});
