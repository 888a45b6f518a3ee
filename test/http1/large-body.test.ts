// 100 MB bodies streamed both ways through a proxy in a child process: memory stays bounded (backpressure works).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { simpleConfig, startRawUpstream, type RawUpstream } from './harness.js';

const SIZE = 100 * 1024 * 1024;
/**
 * Peak RSS may grow while 100 MB pass (V8 collects socket buffers lazily, ~60 MB here) but must
 * stay below what buffering the body would take; and passing 200 MB more must not raise the peak
 * further: memory does not grow with the body size.
 */
const MAX_GROWTH_MB = 90;
const MAX_FURTHER_GROWTH_MB = 16;

function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Consumes request bodies slowly (pausing between reads), answering each with its byte count; keep-alive aware. */
function slowSink(socket: Socket): void {
  let head = '';
  let expected = -1;
  let got = 0;
  socket.on('data', (d: Buffer) => {
    if (expected < 0) {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const cl = /content-length: (\d+)/i.exec(head.slice(0, end));
      if (cl === null) {
        // A download request: /download/<bytes>, streamed with backpressure.
        const size = Number(/^GET \/download\/(\d+)/.exec(head)?.[1] ?? 0);
        head = '';
        streamOut(socket, size);
        return;
      }
      expected = Number(cl[1]);
      got = Buffer.byteLength(head, 'latin1') - end - 4;
    } else {
      got += d.length;
    }
    socket.pause();
    setImmediate(() => socket.resume());
    if (got >= expected) {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${String(got).length}\r\n\r\n${got}`);
      head = '';
      expected = -1;
      got = 0;
    }
  });
}

function streamOut(socket: Socket, size: number): void {
  socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${size}\r\n\r\n`);
  const chunk = Buffer.alloc(256 * 1024, 'd');
  let sent = 0;
  const pump = () => {
    while (sent < size) {
      const n = Math.min(chunk.length, size - sent);
      sent += n;
      if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

describe('100 MB bodies with bounded memory', { skip: process.platform !== 'linux' ? 'reads /proc (Linux only)' : false }, () => {
  let upstream: RawUpstream;
  let child: ChildProcess;
  let port: number;
  let baseline: number;

  before(async () => {
    upstream = await startRawUpstream(slowSink);
    const script = fileURLToPath(new URL('./fixtures/proxy-child.js', import.meta.url));
    child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin!.end(simpleConfig(upstream.port, { timeout: '0s' }));
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    port = (JSON.parse(line.toString()) as { port: number }).port;
    // Warm up so the baseline includes the code paths and a pooled connection.
    const s = connect(port, '127.0.0.1');
    s.write('POST /warm HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
    await once(s, 'data');
    s.destroy();
    baseline = memoryMb(child.pid!).rss;
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await upstream.close();
  });

  async function upload(size: number): Promise<void> {
    const s = connect(port, '127.0.0.1');
    await once(s, 'connect');
    s.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 'u');
    let sent = 0;
    const response = new Promise<string>((resolve) => {
      let text = '';
      s.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.endsWith(`\r\n\r\n${size}`)) resolve(text);
      });
    });
    while (sent < size) {
      sent += chunk.length;
      if (!s.write(chunk)) await once(s, 'drain');
    }
    const text = await response;
    s.destroy();
    assert.match(text, /^HTTP\/1\.1 200 OK/);
  }

  async function download(size: number): Promise<void> {
    const s = connect(port, '127.0.0.1');
    await once(s, 'connect');
    s.write(`GET /download/${size} HTTP/1.1\r\nHost: x\r\n\r\n`);
    let received = 0;
    await new Promise<void>((resolve) => {
      s.on('data', (d: Buffer) => {
        received += d.length;
        s.pause();
        setImmediate(() => s.resume());
        if (received >= size) resolve();
      });
    });
    s.destroy();
  }

  test('upload: a fast client, a slow upstream', async () => {
    await upload(SIZE);
    const first = memoryMb(child.pid!).peak;
    assert.ok(first - baseline < MAX_GROWTH_MB, `peak RSS ${first.toFixed(1)} MB vs baseline ${baseline.toFixed(1)} MB`);
    await upload(2 * SIZE);
    const second = memoryMb(child.pid!).peak;
    assert.ok(second - first < MAX_FURTHER_GROWTH_MB, `peak RSS grew from ${first.toFixed(1)} to ${second.toFixed(1)} MB with a 200 MB body`);
  });

  test('download: a fast upstream, a slow client', async () => {
    await download(SIZE);
    const first = memoryMb(child.pid!).peak;
    assert.ok(first - baseline < MAX_GROWTH_MB, `peak RSS ${first.toFixed(1)} MB vs baseline ${baseline.toFixed(1)} MB`);
    await download(2 * SIZE);
    const second = memoryMb(child.pid!).peak;
    assert.ok(second - first < MAX_FURTHER_GROWTH_MB, `peak RSS grew from ${first.toFixed(1)} to ${second.toFixed(1)} MB with a 200 MB body`);
  });
});
