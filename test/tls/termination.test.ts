// TLS termination end to end: HTTP/2 and HTTP/1.1 on one port by ALPN, mutual TLS with SPIFFE identities, minimum version.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import https from 'node:https';
import tls from 'node:tls';
import { createTestCa, type TestCa, type TestCertificate } from '../fixtures/pki.js';
import { httpChains, httpConfig, identityFilter } from '../fixtures/mesh-config.js';
import { startHttpUpstream, startProxy } from '../http1/harness.js';

const SPIFFE = 'spiffe://weft.test/ns/default/svc/frontend';
let ca: TestCa;
let server: TestCertificate;
let client: TestCertificate;
let rogue: TestCertificate;

before(() => {
  ca = createTestCa();
  server = ca.issue({ commonName: 'weft.test', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  client = ca.issue({ commonName: 'frontend', uris: [SPIFFE], dnsNames: ['frontend.default'], usage: 'client' });
  // Same identity, signed by a CA the proxy does not trust.
  rogue = createTestCa('Rogue CA').issue({ commonName: 'frontend', uris: [SPIFFE], usage: 'client' });
});

function secrets() {
  return [
    { name: 'server', certificate: server.cert, private_key: server.key },
    { name: 'clients', ca: ca.cert },
  ];
}

async function setup(listenerTls: Record<string, unknown>, http?: Record<string, unknown>) {
  const up = await startHttpUpstream();
  const proxy = await startProxy(
    httpConfig(up.port, { listener: { tls: { certificate: 'server', ...listenerTls }, filterChain: 'identity', ...(http ? { http } : {}) }, secrets: secrets() }),
    { filterChains: httpChains({ identity: [identityFilter] }) },
  );
  return {
    up,
    proxy,
    async close() {
      await proxy.close();
      await up.close();
    },
  };
}

/** One HTTP/2 GET over TLS; resolves with the status and the upstream's view, or rejects. */
async function h2Get(port: number, options: http2.SecureClientSessionOptions = {}): Promise<{ status: number; alpn: string | false | undefined }> {
  const session = http2.connect(`https://localhost:${port}`, { ca: ca.cert, ...options });
  const failed = new Promise<never>((_, reject) => {
    session.on('error', reject);
    session.on('close', () => reject(new Error('session closed')));
  });
  try {
    const req = session.request({ ':path': '/h2' });
    req.on('error', () => {});
    req.end();
    const [headers] = (await Promise.race([once(req, 'response'), failed])) as [http2.IncomingHttpHeaders];
    req.resume();
    await Promise.race([once(req, 'end'), failed]);
    return { status: Number(headers[':status']), alpn: session.alpnProtocol };
  } finally {
    session.destroy();
  }
}

/** One HTTP/1.1 GET over TLS. */
function h1Get(port: number, options: https.RequestOptions & tls.ConnectionOptions = {}): Promise<{ status: number; alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', servername: 'localhost', port, path: '/h1', ca: ca.cert, agent: false, ...options }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, alpn: (res.socket as tls.TLSSocket).alpnProtocol }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTP/2 and HTTP/1.1 share one TLS port; ALPN chooses', async () => {
  const s = await setup({});
  try {
    const a = await h2Get(s.proxy.port);
    assert.equal(a.status, 200);
    assert.equal(a.alpn, 'h2');
    const b = await h1Get(s.proxy.port, { ALPNProtocols: ['http/1.1'] });
    assert.equal(b.status, 200);
    assert.equal(b.alpn, 'http/1.1');
    // A client that offers no ALPN at all speaks HTTP/1.1.
    const c = await h1Get(s.proxy.port);
    assert.equal(c.status, 200);
    const [r1, r2, r3] = s.up.requests;
    assert.equal(r1!.headers['x-tls-alpn'], 'h2');
    assert.equal(r1!.url, '/h2');
    assert.equal(r1!.headers['x-forwarded-proto'], 'https');
    assert.match(String(r1!.headers['x-tls-version']), /^TLSv1\.[23]$/);
    assert.equal(r2!.headers['x-tls-alpn'], 'http/1.1');
    assert.equal(r3!.headers['x-tls-alpn'], '');
    assert.equal(r1!.headers['x-peer-verified'], 'false', 'no client certificate was asked for');
  } finally {
    await s.close();
  }
});

test('http.http2: false offers only http/1.1 by ALPN', async () => {
  const s = await setup({}, { http2: false });
  try {
    await assert.rejects(h2Get(s.proxy.port));
    const b = await h1Get(s.proxy.port, { ALPNProtocols: ['h2', 'http/1.1'] });
    assert.equal(b.alpn, 'http/1.1');
  } finally {
    await s.close();
  }
});

test('mutual TLS required: no certificate or an untrusted one is refused; a trusted one passes with its SPIFFE id', async () => {
  const s = await setup({ client_ca: 'clients', require_client_certificate: true });
  try {
    await assert.rejects(h2Get(s.proxy.port), 'no client certificate');
    await assert.rejects(h1Get(s.proxy.port), 'no client certificate (HTTP/1.1)');
    await assert.rejects(h2Get(s.proxy.port, { cert: rogue.cert, key: rogue.key }), 'certificate from an untrusted CA');
    assert.equal(s.up.requests.length, 0, 'nothing reached the upstream');
    const ok = await h2Get(s.proxy.port, { cert: client.cert, key: client.key });
    assert.equal(ok.status, 200);
    const ok1 = await h1Get(s.proxy.port, { cert: client.cert, key: client.key });
    assert.equal(ok1.status, 200);
    for (const r of s.up.requests) {
      assert.equal(r.headers['x-peer-uri-sans'], SPIFFE);
      assert.equal(r.headers['x-peer-dns-sans'], 'frontend.default');
      assert.equal(r.headers['x-peer-verified'], 'true');
      assert.match(String(r.headers['x-peer-subject']), /^CN=frontend,O=Weft Tests/);
    }
  } finally {
    await s.close();
  }
});

test('mutual TLS optional: clients without a trusted certificate pass, unverified and without an identity', async () => {
  const s = await setup({ client_ca: 'clients', require_client_certificate: false });
  try {
    assert.equal((await h2Get(s.proxy.port)).status, 200);
    assert.equal((await h2Get(s.proxy.port, { cert: rogue.cert, key: rogue.key })).status, 200);
    assert.equal((await h2Get(s.proxy.port, { cert: client.cert, key: client.key })).status, 200);
    const [none, untrusted, trusted] = s.up.requests;
    assert.equal(none!.headers['x-peer-verified'], 'false');
    assert.equal(untrusted!.headers['x-peer-verified'], 'false');
    assert.equal(untrusted!.headers['x-peer-uri-sans'], '', 'an unverified certificate names nobody');
    assert.equal(trusted!.headers['x-peer-verified'], 'true');
    assert.equal(trusted!.headers['x-peer-uri-sans'], SPIFFE);
  } finally {
    await s.close();
  }
});

test('min_version TLSv1.3 refuses a TLS 1.2 client', async () => {
  const s = await setup({ min_version: 'TLSv1.3' });
  try {
    await assert.rejects(h1Get(s.proxy.port, { maxVersion: 'TLSv1.2' }));
    const ok = await h1Get(s.proxy.port);
    assert.equal(ok.status, 200);
    assert.equal(s.up.requests[0]!.headers['x-tls-version'], 'TLSv1.3');
  } finally {
    await s.close();
  }
});

test('a listener whose certificate secret is malformed is rejected at apply, naming the listener', async () => {
  const up = await startHttpUpstream();
  try {
    await assert.rejects(
      startProxy(httpConfig(up.port, { listener: { tls: { certificate: 'bad' } }, secrets: [{ name: 'bad', certificate: server.cert, private_key: client.key }] })),
      /listener "main"/,
    );
  } finally {
    await up.close();
  }
});
