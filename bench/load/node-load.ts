// The Node load generator (a child process): closed loop over HTTP/1.1 (undici Pool) or HTTP/2 (node:http2),
// or open loop at a fixed rate. Slower than wrk/h2load: the runner uses it only when they are missing,
// and for the fixed-rate latency case (which no installed tool does).
// Usage: node node-load.js '<LoadSpec JSON>'  -> prints one JSON LoadResult line.
import { createHistogram } from 'node:perf_hooks';
import { connect, type ClientHttp2Session } from 'node:http2';
import { Pool } from 'undici';
import type { LoadResult, LoadSpec } from './types.js';

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const hist = createHistogram();
let requests = 0;
let non2xx = 0;
let errors = 0;
/** Off while the generator warms itself up (connections, JIT): nothing is counted then. */
let counting = false;
const origin = `http://127.0.0.1:${spec.port}`;

type Send = () => Promise<number>;

function h1Sender(): { send: Send; close: () => Promise<void> } {
  const pool = new Pool(origin, { connections: spec.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const send: Send = async () => {
    const res = await pool.request({ path: spec.path, method: 'GET' });
    for await (const _ of res.body) {
      // drain
    }
    return res.statusCode;
  };
  return { send, close: () => pool.close() };
}

function h2Sender(): { send: Send; close: () => Promise<void> } {
  const sessions: ClientHttp2Session[] = [];
  for (let i = 0; i < spec.connections; i++) {
    const s = connect(origin);
    s.on('error', () => undefined);
    sessions.push(s);
  }
  let next = 0;
  const send: Send = () =>
    new Promise((resolve, reject) => {
      const session = sessions[next++ % sessions.length]!;
      const stream = session.request({ ':path': spec.path });
      let status = 0;
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', () => undefined);
      stream.on('end', () => resolve(status));
      stream.on('error', reject);
      stream.end();
    });
  return { send, close: async () => sessions.forEach((s) => s.close()) };
}

function record(start: bigint, status: number): void {
  if (!counting) return;
  const ns = Number(process.hrtime.bigint() - start);
  hist.record(Math.max(1, ns));
  requests++;
  if (status < 200 || status > 299) non2xx++;
}

async function closedLoop(send: Send, workers: number, endAt: bigint): Promise<void> {
  const worker = async (): Promise<void> => {
    while (process.hrtime.bigint() < endAt) {
      const start = process.hrtime.bigint();
      try {
        record(start, await send());
      } catch {
        if (counting) errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

/**
 * Requests leave on a timer whatever the answers do (so a slow proxy cannot slow the sender down:
 * no coordinated omission); latency counts from the moment a request is handed to the client,
 * queueing for a free connection included. Timer slack (about 1 ms) delays sends, not latencies.
 */
async function openLoop(send: Send, rate: number, startAt: bigint, endAt: bigint): Promise<void> {
  const interval = 1e9 / rate;
  const inflight = new Set<Promise<void>>();
  let sent = 0;
  for (;;) {
    const now = process.hrtime.bigint();
    if (now >= endAt) break;
    const due = Math.floor(Number(now - startAt) / interval) + 1;
    for (; sent < due; sent++) {
      const start = process.hrtime.bigint();
      const p = send().then(
        (status) => record(start, status),
        () => void (counting && errors++),
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
}

async function drive(send: Send, seconds: number): Promise<bigint> {
  const startAt = process.hrtime.bigint();
  const endAt = startAt + BigInt(Math.round(seconds * 1e9));
  if (spec.rate !== undefined) await openLoop(send, spec.rate, startAt, endAt);
  else await closedLoop(send, spec.protocol === 'h1' ? spec.connections : spec.connections * spec.streams, endAt);
  return startAt;
}

const sender = spec.protocol === 'h1' ? h1Sender() : h2Sender();
// The generator is a fresh process each time: open its connections and let V8 compile the client first.
await drive(sender.send, Math.min(1, Math.max(0.3, spec.durationS * 0.2)));
counting = true;
process.stdout.write('counting\n');
const startAt = await drive(sender.send, spec.durationS);
const durationS = Number(process.hrtime.bigint() - startAt) / 1e9;
process.stdout.write('counted\n');
await sender.close();

const result: LoadResult = {
  requests,
  durationS,
  rps: requests / durationS,
  p50Ms: requests > 0 ? hist.percentile(50) / 1e6 : Number.NaN,
  p99Ms: requests > 0 ? hist.percentile(99) / 1e6 : Number.NaN,
  non2xx,
  errors,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
