// TLS on the TCP proxy: termination (with mutual TLS) on a TCP listener, and origination to a TLS upstream.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { createTestCa, type TestCa, type TestCertificate } from '../fixtures/pki.js';
import { startProxy } from '../http1/harness.js';

let ca: TestCa;
let server: TestCertificate;
let client: TestCertificate;

before(() => {
  ca = createTestCa();
  server = ca.issue({ commonName: 'weft.test', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  client = ca.issue({ commonName: 'db-client', uris: ['spiffe://weft.test/ns/default/svc/app'], usage: 'client' });
});

function config(upstreamPort: number, o: { listenerTls?: Record<string, unknown>; clusterTls?: Record<string, unknown> }): string {
  return JSON.stringify({
    listeners: [{ name: 'main', address: '127.0.0.1:0', protocol: 'tcp', tcp: { cluster: 'db' }, ...(o.listenerTls ? { tls: o.listenerTls } : {}) }],
    clusters: [{ name: 'db', endpoints: [{ address: `127.0.0.1:${upstreamPort}` }], ...(o.clusterTls ? { tls: o.clusterTls } : {}) }],
    secrets: [
      { name: 'server', certificate: server.cert, private_key: server.key },
      { name: 'ca', ca: ca.cert },
    ],
  });
}

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function exchange(socket: net.Socket, data: string): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.end(data);
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

test('a TCP listener terminates TLS (mutual TLS required) and proxies the plaintext', async () => {
  const echo = net.createServer((s) => s.pipe(s));
  const port = await listen(echo);
  const proxy = await startProxy(config(port, { listenerTls: { certificate: 'server', client_ca: 'ca', require_client_certificate: true } }));
  try {
    const ok = tls.connect({ host: '127.0.0.1', port: proxy.port, ca: ca.cert, cert: client.cert, key: client.key, servername: 'localhost' });
    await once(ok, 'secureConnect');
    assert.equal(await exchange(ok, 'ping over tls'), 'ping over tls');
    const refused = tls.connect({ host: '127.0.0.1', port: proxy.port, ca: ca.cert, servername: 'localhost' });
    await assert.rejects(exchange(refused, 'no certificate'));
  } finally {
    await proxy.close();
    echo.close();
  }
});

test('a TCP cluster with tls originates TLS to its upstream, verified against the CA', async () => {
  const tlsEcho = tls.createServer({ cert: server.cert, key: server.key }, (s) => s.pipe(s));
  tlsEcho.on('tlsClientError', () => {});
  const port = await listen(tlsEcho);
  const proxy = await startProxy(config(port, { clusterTls: { ca: 'ca' } }));
  try {
    const c = net.connect(proxy.port, '127.0.0.1');
    await once(c, 'connect');
    assert.equal(await exchange(c, 'plaintext in, TLS out'), 'plaintext in, TLS out');
  } finally {
    await proxy.close();
    tlsEcho.close();
  }
  // Without the CA the upstream cannot be verified: the client connection is reset.
  const tlsEcho2 = tls.createServer({ cert: server.cert, key: server.key }, (s) => s.pipe(s));
  tlsEcho2.on('tlsClientError', () => {});
  const port2 = await listen(tlsEcho2);
  const proxy2 = await startProxy(config(port2, { clusterTls: {} }));
  try {
    const c = net.connect(proxy2.port, '127.0.0.1');
    await once(c, 'connect');
    await assert.rejects(exchange(c, 'x'), /ECONNRESET/);
  } finally {
    await proxy2.close();
    tlsEcho2.close();
  }
});
