// WebSocket (HTTP/1.1 Upgrade) through the proxy with the ws package: echo both ways, close, and refused upgrades.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { client, simpleConfig, startProxy, type Proxy } from './harness.js';

describe('WebSocket through the proxy', () => {
  let wss: WebSocketServer;
  let upstreamPort: number;
  let proxy: Proxy;
  const plainRequests: string[] = [];
  const server = createServer((req, res) => {
    plainRequests.push(req.url ?? '');
    res.statusCode = req.headers.upgrade ? 426 : 200;
    res.end('plain');
  });

  before(async () => {
    wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (req.url === '/refuse') {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(`hello ${req.headers['x-forwarded-for']}`);
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    upstreamPort = (server.address() as AddressInfo).port;
    proxy = await startProxy(simpleConfig(upstreamPort));
  });

  after(async () => {
    await proxy.close();
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.closeAllConnections();
    server.close();
  });

  test('text and binary messages echo, large frames included, and the close handshake completes', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/chat`);
    const messages: (string | Buffer)[] = [];
    const waiters: (() => void)[] = [];
    ws.on('message', (data, isBinary) => {
      messages.push(isBinary ? Buffer.from(data as Buffer) : data.toString());
      waiters.shift()?.();
    });
    const next = () => new Promise<void>((r) => waiters.push(r));
    const greeting = next();
    await once(ws, 'open');
    await greeting;
    assert.equal(messages[0], 'hello 127.0.0.1');
    let p = next();
    ws.send('ping');
    await p;
    assert.equal(messages[1], 'ping');
    const big = Buffer.alloc(2 * 1024 * 1024, 7);
    p = next();
    ws.send(big);
    await p;
    assert.ok(Buffer.isBuffer(messages[2]) && (messages[2] as Buffer).equals(big));
    ws.close(1000, 'bye');
    const [code] = (await once(ws, 'close')) as [number];
    assert.equal(code, 1000);
  });

  test('an upgrade the upstream refuses is answered as a normal response and the connection closes', async () => {
    const c = await client(proxy.port);
    c.send('GET /refuse HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    const res = await c.reader.read();
    assert.equal(res.status, 403);
    assert.equal(res.body.toString(), 'no');
    assert.ok(await c.reader.closed());
  });

  test('bytes sent before the 101 wait for it and are never parsed as a request upstream', async () => {
    const c = await client(proxy.port);
    // A smuggled request after a refused upgrade must not reach the upstream as HTTP.
    c.send('GET /refuse HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.reader.read();
    assert.equal(res.status, 403);
    assert.ok(await c.reader.closed());
    assert.deepEqual(plainRequests, []);
  });
});
