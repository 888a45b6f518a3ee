// Fuzzing through the proxy: mutated requests never crash Weft and never reach the upstream malformed or ambiguous.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rawExchange, simpleConfig, startHttpUpstream, startProxy, type HttpUpstream, type Proxy } from './harness.js';

const SEEDS = [
  'GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n',
  'POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
  'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n',
  'POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /pipe HTTP/1.1\r\nHost: x\r\n\r\nPOST /pipe2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi',
  'GET http://x/abs HTTP/1.1\r\nHost: y\r\nConnection: keep-alive, x-hop\r\nX-Hop: 1\r\n\r\n',
];

const SPECIALS = [0, 9, 10, 13, 32, 43, 44, 45, 48, 58, 59, 127, 255];

/** xorshift32, so that a failure can be replayed from its iteration number. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

function mutate(input: Buffer, rand: (n: number) => number): Buffer {
  let b = Buffer.from(input);
  for (let e = 1 + rand(3); e > 0; e--) {
    const pos = rand(b.length);
    const byte = rand(2) ? SPECIALS[rand(SPECIALS.length)]! : rand(256);
    switch (rand(4)) {
      case 0:
        b[pos] = byte;
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, pos), Buffer.from([byte]), b.subarray(pos)]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, pos), b.subarray(pos + 1)]);
        break;
      default: {
        // Duplicate a whole line: repeated framing headers are the classic smuggling vector.
        const start = b.lastIndexOf('\n', pos) + 1;
        const end = b.indexOf('\n', pos);
        if (end > start) b = Buffer.concat([b.subarray(0, end + 1), b.subarray(start, end + 1), b.subarray(end + 1)]);
      }
    }
  }
  return b;
}

describe('fuzzing through the proxy', () => {
  let upstream: HttpUpstream;
  let proxy: Proxy;
  const clientErrors: string[] = [];

  before(async () => {
    upstream = await startHttpUpstream((_req, res) => res.end('ok'));
    // node:http is strict: anything malformed or ambiguous it receives is a clientError.
    upstream.server.on('clientError', (err: Error & { rawPacket?: Buffer; code?: string; reason?: string }, socket) => {
      // A request cut short (the fuzzing client gave up on an incomplete body, so Weft reset the
      // upstream request) is an abort, not a malformed request.
      if (err.code !== 'HPE_INVALID_EOF_STATE') clientErrors.push(`${err.code} ${err.reason ?? err.message}: ${JSON.stringify(err.rawPacket?.toString('latin1') ?? '')}`);
      socket.destroy();
    });
    proxy = await startProxy(simpleConfig(upstream.port, { timeout: '2s' }));
  });

  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  test('600 mutated requests: Weft answers or closes each, the upstream only ever sees well-formed requests', async () => {
    const rand = prng(0x5eed1234);
    const inputs = Array.from({ length: 600 }, () => mutate(Buffer.from(SEEDS[rand(SEEDS.length)]!, 'latin1'), rand));
    let next = 0;
    const statuses = new Map<string, number>();
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next++]!;
        const { text } = await rawExchange(proxy.port, input, 500);
        const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 'none';
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.deepEqual(clientErrors, []);
    // Every request the upstream parsed is one Weft parsed and forwarded: the two agree on every message boundary.
    const forwarded = new Map<string, number>();
    for (const l of proxy.logs.lines) {
      if (l.msg === 'stream complete' && l.upstream !== undefined) forwarded.set(`${l.method} ${l.path}`, (forwarded.get(`${l.method} ${l.path}`) ?? 0) + 1);
    }
    for (const r of upstream.requests) {
      assert.ok(!(r.headers['content-length'] !== undefined && r.headers['transfer-encoding'] !== undefined), 'never both framings');
      const key = `${r.method} ${r.url}`;
      const n = forwarded.get(key) ?? 0;
      assert.ok(n > 0, `the upstream saw ${key}, which Weft never forwarded`);
      forwarded.set(key, n - 1);
    }
    assert.ok((statuses.get('400') ?? 0) > 50, `many rejected: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get('200') ?? 0) > 20, `some accepted: ${JSON.stringify([...statuses])}`);
    // Weft still serves.
    const { text } = await rawExchange(proxy.port, 'GET /alive HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 OK/);
  });
});
