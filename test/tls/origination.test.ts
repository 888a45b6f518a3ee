// TLS origination end to end: verify against a test CA (or fail with 502), SNI, client certificates, HTTP/2 over TLS upstreams.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createTestCa, type TestCa, type TestCertificate } from '../fixtures/pki.js';
import { httpChains, httpConfig, identityFilter, type ClusterOptions } from '../fixtures/mesh-config.js';
import { rawExchange, startProxy, parseFirst } from '../http1/harness.js';

let ca: TestCa;
let upstreamCert: TestCertificate;
let proxyClientCert: TestCertificate;

before(() => {
  ca = createTestCa('Upstream CA');
  upstreamCert = ca.issue({ commonName: 'backend.internal', dnsNames: ['backend.internal'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  proxyClientCert = ca.issue({ commonName: 'weft-proxy', uris: ['spiffe://weft.test/ns/default/svc/gateway'], usage: 'client' });
});

interface Upstream {
  port: number;
  seen: { alpn: string | false | null; peer: string; protocol: string }[];
  close(): Promise<void>;
}

/** An HTTPS upstream (HTTP/1.1, or HTTP/2 with `h2`), optionally requiring a client certificate. */
async function startTlsUpstream(o: { h2?: boolean; requireClientCert?: boolean } = {}): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const options = {
    cert: upstreamCert.cert,
    key: upstreamCert.key,
    ...(o.requireClientCert ? { requestCert: true, rejectUnauthorized: true, ca: ca.cert } : {}),
  };
  const handler = (req: http2.Http2ServerRequest | import('node:http').IncomingMessage, res: http2.Http2ServerResponse | import('node:http').ServerResponse) => {
    const socket = (req.socket ?? (req as http2.Http2ServerRequest).stream.session?.socket) as TLSSocket;
    const peer = socket.getPeerX509Certificate?.();
    seen.push({ alpn: socket.alpnProtocol, peer: peer?.subjectAltName ?? '', protocol: req.httpVersion });
    res.setHeader('content-type', 'text/plain');
    res.end(`hello over ${req.httpVersion}`);
  };
  const server = o.h2 ? http2.createSecureServer(options, handler) : https.createServer(options, handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sockets = new Set<net.Socket>();
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function get(upstream: Upstream, cluster: ClusterOptions, secrets: Record<string, unknown>[] = [{ name: 'upstream-ca', ca: ca.cert }]) {
  const proxy = await startProxy(httpConfig(upstream.port, { cluster, secrets, listener: { filterChain: 'identity' } }), {
    filterChains: httpChains({ identity: [identityFilter] }),
  });
  try {
    const r = await rawExchange(proxy.port, 'GET /x HTTP/1.1\r\nhost: app\r\nconnection: close\r\n\r\n');
    return parseFirst(r.text);
  } finally {
    await proxy.close();
  }
}

test('an upstream certificate from the configured CA verifies; StreamInfo.upstreamTls says so', async () => {
  const up = await startTlsUpstream();
  try {
    const r = await get(up, { tls: { ca: 'upstream-ca' } });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'hello over 1.1');
    assert.match(r.headers.get('x-upstream-tls')!, /^TLSv1\.3 alpn=http\/1\.1 verified=true subject=CN=backend\.internal,O=Weft Tests$/);
    assert.equal(up.seen[0]!.alpn, 'http/1.1');
  } finally {
    await up.close();
  }
});

test('without the CA (system roots) the handshake fails: 502 upstream_connect_failed', async () => {
  const up = await startTlsUpstream();
  try {
    const r = await get(up, { tls: {} }, []);
    assert.equal(r.status, 502);
    assert.equal(r.headers.get('x-weft-error'), 'upstream_connect_failed');
    assert.match(r.body, /certificate|UNABLE_TO_VERIFY|SELF_SIGNED/i);
    assert.equal(up.seen.length, 0);
  } finally {
    await up.close();
  }
});

test('SNI: the certificate must name the configured server name', async () => {
  const up = await startTlsUpstream();
  try {
    const good = await get(up, { tls: { ca: 'upstream-ca', sni: 'backend.internal' } });
    assert.equal(good.status, 200);
    const bad = await get(up, { tls: { ca: 'upstream-ca', sni: 'other.internal' } });
    assert.equal(bad.status, 502);
    assert.equal(bad.headers.get('x-weft-error'), 'upstream_connect_failed');
    assert.match(bad.body, /ALTNAME|other\.internal/);
  } finally {
    await up.close();
  }
});

test('mutual TLS to the upstream: the proxy presents its client certificate', async () => {
  const up = await startTlsUpstream({ requireClientCert: true });
  try {
    const secrets = [
      { name: 'upstream-ca', ca: ca.cert },
      { name: 'proxy-identity', certificate: proxyClientCert.cert, private_key: proxyClientCert.key },
    ];
    const ok = await get(up, { tls: { ca: 'upstream-ca', client_certificate: 'proxy-identity' } }, secrets);
    assert.equal(ok.status, 200);
    assert.equal(up.seen[0]!.peer, 'URI:spiffe://weft.test/ns/default/svc/gateway');
    const refused = await get(up, { tls: { ca: 'upstream-ca' } }, secrets);
    assert.equal(refused.status, 502, 'without a client certificate the upstream refuses');
  } finally {
    await up.close();
  }
});

test('an HTTP/2 upstream over TLS (ALPN h2)', async () => {
  const up = await startTlsUpstream({ h2: true });
  try {
    const r = await get(up, { protocol: 'http2', tls: { ca: 'upstream-ca' } });
    assert.equal(r.status, 200);
    // No content-length from the HTTP/2 upstream: the HTTP/1.1 client gets it chunked.
    assert.equal(r.headers.get('transfer-encoding'), 'chunked');
    assert.equal(r.body, 'e\r\nhello over 2.0\r\n0\r\n\r\n');
    assert.equal(up.seen[0]!.alpn, 'h2');
    assert.match(r.headers.get('x-upstream-tls')!, /alpn=h2 verified=true/);
  } finally {
    await up.close();
  }
});

test('an HTTP/2 cluster whose upstream does not agree to h2 fails with 502', async () => {
  const up = await startTlsUpstream();
  try {
    const r = await get(up, { protocol: 'http2', tls: { ca: 'upstream-ca', alpn: ['h2', 'http/1.1'] } });
    assert.equal(r.status, 502);
    assert.match(r.body, /did not agree to h2/);
  } finally {
    await up.close();
  }
});

test('a cluster naming a CA secret without a bundle is rejected at apply', async () => {
  await assert.rejects(
    startProxy(httpConfig(1, { cluster: { tls: { ca: 'nope' } }, secrets: [{ name: 'nope', certificate: upstreamCert.cert, private_key: upstreamCert.key }] })),
    /nope/,
  );
});

test('a TLS handshake that never completes hits the connect timeout: 502 for HTTP/1.1 and HTTP/2 clusters', async () => {
  // Accepts TCP connections and never answers the ClientHello.
  const silent = net.createServer((s) => s.on('error', () => {}));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const port = (silent.address() as AddressInfo).port;
  try {
    for (const protocol of ['http1', 'http2'] as const) {
      const proxy = await startProxy(httpConfig(port, { cluster: { protocol, tls: { ca: 'upstream-ca' }, connectTimeout: '200ms' }, secrets: [{ name: 'upstream-ca', ca: ca.cert }] }));
      try {
        const started = Date.now();
        const r = parseFirst((await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n')).text);
        assert.equal(r.status, 502, protocol);
        assert.equal(r.headers.get('x-weft-error'), 'upstream_connect_failed', protocol);
        assert.match(r.body, /time/i, protocol);
        assert.ok(Date.now() - started >= 150, `${protocol}: waited for the connect timeout`);
      } finally {
        await proxy.close();
      }
    }
  } finally {
    silent.close();
  }
});
