// Ports and readiness probes for the processes a bench run starts.
import { createServer } from 'node:net';
import { request } from 'node:http';
import { connect } from 'node:http2';
import { sleep, type Child } from './processes.js';

/** A port the OS reports free on 127.0.0.1 now (for processes that cannot report the port they bound). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

export type Protocol = 'h1' | 'h2';

export interface Probe {
  status: number;
  bytes: number;
}

/** One GET, over HTTP/1.1 or HTTP/2 cleartext (prior knowledge); rejects on network errors. */
export function get(protocol: Protocol, port: number, path: string, timeoutMs = 2000): Promise<Probe> {
  if (protocol === 'h1') {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end();
    });
  }
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    const timer = setTimeout(() => session.destroy(new Error('timed out')), timeoutMs);
    session.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    const stream = session.request({ ':path': path });
    let status = 0;
    let bytes = 0;
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('end', () => {
      clearTimeout(timer);
      session.close();
      resolve({ status, bytes });
    });
    stream.on('error', (e) => {
      clearTimeout(timer);
      session.destroy();
      reject(e);
    });
    stream.end();
  });
}

/**
 * Waits until GET `path` answers 200 with `bytes` body bytes on `port`: the process is up and
 * proxies to the upstream. Fails early when `child` exits.
 */
export async function waitUntilServing(
  protocol: Protocol,
  port: number,
  path: string,
  bytes: number,
  child: Child,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (child.hasExited) throw new Error(`${child.label} exited: ${child.tail()}`);
    try {
      const r = await get(protocol, port, path);
      if (r.status === 200 && r.bytes === bytes) return;
      last = `answered ${r.status} with ${r.bytes} bytes (expected 200 with ${bytes})`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${child.label} is not serving ${protocol} on port ${port} after ${timeoutMs} ms: ${last}; ${child.tail(3)}`);
    await sleep(50);
  }
}
