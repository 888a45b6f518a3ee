// The bench origin when nginx is missing: canned HTTP/1.1 answers on a raw `net` server, HTTP/2 cleartext on node:http2.
// Bench-only: it answers GET/HEAD (bodies are skipped by Content-Length; chunked requests get 501).
// Usage: node node-origin.js  -> prints {"h1":PORT,"h2":PORT} on stdout once listening.
import { createServer, type Socket } from 'node:net';
import { createServer as createH2Server } from 'node:http2';
import { LARGE_PATH, TINY_BODY, largeBody } from './content.js';

function response(body: Buffer, date: string): Buffer {
  const head = `HTTP/1.1 200 OK\r\nServer: weft-bench-origin\r\nDate: ${date}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const tinyBody = Buffer.from(TINY_BODY);
const large = largeBody();
let tinyResponse: Buffer;
let largeResponse: Buffer;
function refresh(): void {
  const date = new Date().toUTCString();
  tinyResponse = response(tinyBody, date);
  largeResponse = response(large, date);
}
refresh();
setInterval(refresh, 1000).unref();

const NOT_IMPLEMENTED = Buffer.from('HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1');

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  let pending = '';
  let skip = 0;
  socket.on('data', (chunk: Buffer) => {
    let text = chunk.toString('latin1');
    if (skip > 0) {
      const n = Math.min(skip, text.length);
      skip -= n;
      text = text.slice(n);
    }
    pending = pending.length > 0 ? pending + text : text;
    let end: number;
    while (skip === 0 && (end = pending.indexOf('\r\n\r\n')) >= 0) {
      const head = pending.slice(0, end);
      pending = pending.slice(end + 4);
      const lower = head.toLowerCase();
      if (lower.includes('\ntransfer-encoding:')) {
        socket.end(NOT_IMPLEMENTED);
        return;
      }
      const cl = /\ncontent-length:\s*(\d+)/.exec(lower);
      if (cl) {
        const n = Number(cl[1]);
        const now = Math.min(n, pending.length);
        pending = pending.slice(now);
        skip = n - now;
      }
      const path = head.slice(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
      const res = path === LARGE_PATH ? largeResponse : tinyResponse;
      if (lower.startsWith('head ')) socket.write(res.subarray(0, res.indexOf('\r\n\r\n') + 4));
      else socket.write(res);
      if (lower.includes('\nconnection: close')) {
        socket.end();
        return;
      }
    }
    if (pending.length > 64 * 1024) socket.destroy();
  });
  socket.on('error', () => socket.destroy());
}

const h1 = createServer(serve);
const h2 = createH2Server({ maxSessionMemory: 64 });
h2.on('stream', (stream, headers) => {
  const body = headers[':path'] === LARGE_PATH ? large : tinyBody;
  stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'content-length': body.length });
  stream.end(body);
});
h2.on('sessionError', () => undefined);

const listen = (srv: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }): Promise<number> =>
  new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port)));

const [p1, p2] = await Promise.all([listen(h1), listen(h2)]);
process.stdout.write(`${JSON.stringify({ h1: p1, h2: p2 })}\n`);
process.on('SIGTERM', () => process.exit(0));
