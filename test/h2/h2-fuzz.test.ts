// Fuzz the HTTP/2 listener: random frames after the preface never crash the proxy or reach the upstream malformed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import { httpConfig } from '../fixtures/mesh-config.js';
import { startHttpUpstream, startProxy } from '../http1/harness.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId >>> 0, 5);
  return Buffer.concat([h, payload]);
}

/** A small valid HEADERS block: literal fields without indexing. */
function headersBlock(fields: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [n, v] of fields) parts.push(Buffer.from([0, n.length]), Buffer.from(n), Buffer.from([v.length]), Buffer.from(v));
  return Buffer.concat(parts);
}

test('random frames after the preface: no crash, and the proxy keeps serving', async () => {
  const up = await startHttpUpstream();
  const proxy = await startProxy(httpConfig(up.port));
  let seed = 1234567;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const valid = headersBlock([[':method', 'GET'], [':scheme', 'http'], [':authority', 'fuzz'], [':path', '/ok']]);
  try {
    for (let round = 0; round < 150; round++) {
      const parts: Buffer[] = [PREFACE, frame(4, 0, 0, Buffer.alloc(0))];
      const frames = 1 + rnd(6);
      for (let i = 0; i < frames; i++) {
        const type = rnd(12);
        if (type === 1 && rnd(2) === 0) {
          // A well-formed request on the next stream, sometimes with a corrupted byte.
          const payload = Buffer.from(valid);
          for (let k = rnd(3) === 0 ? 1 : 0; k > 0; k--) payload[rnd(payload.length)] = rnd(256);
          parts.push(frame(1, 0x5, 1 + 2 * i, payload));
          continue;
        }
        const streamId = rnd(4) === 0 ? rnd(0x7fffffff) : 1 + 2 * rnd(4);
        const payload = Buffer.alloc(rnd(40));
        for (let k = 0; k < payload.length; k++) payload[k] = rnd(256);
        parts.push(frame(type, rnd(256), streamId, payload));
      }
      const sock = net.connect(proxy.port, '127.0.0.1');
      sock.on('error', () => {});
      await once(sock, 'connect');
      sock.write(Buffer.concat(parts));
      sock.resume();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          sock.destroy();
          resolve();
        }, 200);
        sock.once('close', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    // Still serving, over HTTP/2 and HTTP/1.1.
    const session = http2.connect(`http://127.0.0.1:${proxy.port}`);
    session.on('error', () => {});
    const req = session.request({ ':path': '/after', ':authority': 'x' });
    req.end();
    const [h] = (await once(req, 'response')) as [http2.IncomingHttpHeaders];
    assert.equal(h[':status'], 200);
    req.resume();
    await once(req, 'end');
    session.destroy();
    // Requests that did reach the upstream were well-formed ones.
    for (const r of up.requests) assert.equal(r.headers.host, r.url === '/after' ? 'x' : 'fuzz');
  } finally {
    await proxy.close();
    await up.close();
  }
});
