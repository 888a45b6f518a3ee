// SnapshotClusters: pools carried over when unchanged, released when unshared, missing hooks rejected, raw connections.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { parseSnapshot, type Snapshot } from '../../api/snapshot/index.js';
import { Logging } from '../../lib/log.js';
import { ProxyMetrics } from '../stats/proxy-metrics.js';
import { SnapshotClusters, type ClusterManagerOptions } from './cluster-manager.js';
import type { ClusterPool } from './pool-http1.js';

function snap(clusters: string): Snapshot {
  const r = parseSnapshot(`clusters:\n${clusters}`);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

function options(extra: Partial<ClusterManagerOptions> = {}): ClusterManagerOptions {
  return { logger: new Logging({ level: 'silent' }).logger('upstream'), metrics: new ProxyMetrics(new Registry()), ...extra };
}

const A = '  - name: a\n    endpoints: [{ address: 127.0.0.1:1 }]\n';
const B = '  - name: b\n    endpoints: [{ address: 127.0.0.1:2 }]\n';

describe('SnapshotClusters', () => {
  test('unchanged clusters keep their pool across Snapshots; changed ones get a new one', () => {
    const first = SnapshotClusters.build(snap(A + B), options());
    assert.ok(first.ok);
    const changedB = '  - name: b\n    connect_timeout: 1s\n    endpoints: [{ address: 127.0.0.1:2 }]\n';
    const second = SnapshotClusters.build(snap(A + changedB), options(), first.value);
    assert.ok(second.ok);
    assert.equal(second.value.get('a'), first.value.get('a'));
    assert.notEqual(second.value.get('b'), first.value.get('b'));
    assert.equal(second.value.get('missing'), undefined);
  });

  test('release closes only the pools no other Snapshot shares', () => {
    const closed: string[] = [];
    const factory = (c: { name: string }): ClusterPool =>
      ({ name: c.name, protocol: 'http1', connectionCount: 0, newRequest: () => assert.fail(), closeIdle: () => {}, close: () => closed.push(c.name) }) as ClusterPool;
    const opts = options({ poolFactories: { http1: factory } });
    const first = SnapshotClusters.build(snap(A + B), opts);
    assert.ok(first.ok);
    const second = SnapshotClusters.build(snap(A), opts, first.value);
    assert.ok(second.ok);
    first.value.release();
    assert.deepEqual(closed, ['b']);
    second.value.release();
    assert.deepEqual(closed, ['b', 'a']);
  });

  test('a failed build closes what it made and leaves the previous pools alone', () => {
    const closed: string[] = [];
    const factory = (c: { name: string }): ClusterPool =>
      ({ name: c.name, protocol: 'http1', connectionCount: 0, newRequest: () => assert.fail(), closeIdle: () => {}, close: () => closed.push(c.name) }) as ClusterPool;
    const opts = options({ poolFactories: { http1: factory } });
    const first = SnapshotClusters.build(snap(A), opts);
    assert.ok(first.ok);
    const withH2 = SnapshotClusters.build(snap(A + B + '  - name: c\n    protocol: http2\n    endpoints: []\n'), opts, first.value);
    assert.ok(!withH2.ok);
    assert.equal(withH2.error.code, 'unsupported_cluster_protocol');
    assert.deepEqual(closed, ['b']);
    first.value.release();
    assert.deepEqual(closed, ['b', 'a'], 'the shared pool was not counted twice');
  });

  test('TLS clusters need a TLS connector', () => {
    const s = parseSnapshot(`
secrets: [{ name: ca, ca: "-----BEGIN CERTIFICATE-----" }]
clusters:
  - name: t
    tls: { ca: ca }
    endpoints: [{ address: 127.0.0.1:1 }]
`);
    assert.ok(s.ok);
    const r = SnapshotClusters.build(s.value, options());
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'tls_origination_unavailable');
    let asked = '';
    const ok = SnapshotClusters.build(s.value, options({ tlsConnector: (c) => ((asked = c.name), () => assert.fail()) }));
    assert.ok(ok.ok);
    assert.equal(asked, 't');
  });

  test('openConnection dials a balanced endpoint for raw bytes', async () => {
    const server = createServer((sock) => sock.end('hi'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const r = SnapshotClusters.build(snap(`  - name: raw\n    endpoints: [{ address: 127.0.0.1:${port} }]\n`), options());
    assert.ok(r.ok);
    const conn = r.value.openConnection('raw')!;
    assert.equal(conn.address, `127.0.0.1:${port}`);
    const [data] = (await once(conn.upstream.socket, 'data')) as [Buffer];
    assert.equal(data.toString(), 'hi');
    conn.upstream.socket.destroy();
    assert.equal(r.value.openConnection('nope'), undefined);
    const empty = SnapshotClusters.build(snap('  - name: empty\n    endpoints: []\n'), options());
    assert.ok(empty.ok);
    assert.equal(empty.value.openConnection('empty'), undefined);
    r.value.release();
    server.close();
  });
});
