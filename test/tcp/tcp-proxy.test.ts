// End-to-end tests of the TCP (L4) proxy: passthrough, large payloads, half-close, network filters, failures, metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { FilterChainBuilder, PreparedFilterChains } from '../../proxy/config/filter-chains.js';
import type { BodyBuffer } from '../../proxy/http/body-buffer.js';
import { FilterAction } from '../../proxy/http/filter.js';
import type { NetworkFilterCallbacks, NetworkFilterFactory, PeerType } from '../../proxy/tcp/network-filter.js';
import { pluginsFor, startProxy, until } from '../http1/harness.js';

/** A FilterChainBuilder serving network filter chains by name. */
function networkChains(chains: Record<string, NetworkFilterFactory[]>): FilterChainBuilder {
  return {
    async prepare(): Promise<PreparedFilterChains> {
      return { http: () => [], network: (name) => chains[name] ?? [], release: () => {} };
    },
    async close() {},
  };
}

function tcpConfig(upstreamPort: number, extra: { filterChain?: string; idle?: string } = {}): string {
  return `
listeners:
  - name: main
    address: 127.0.0.1:0
    protocol: tcp
    tcp:
      cluster: backend
${extra.filterChain ? `      filter_chain: ${extra.filterChain}\n` : ''}${extra.idle ? `      idle_timeout: ${extra.idle}\n` : ''}
clusters:
  - name: backend
    connect_timeout: 2s
    endpoints: [{ address: 127.0.0.1:${upstreamPort} }]
${extra.filterChain ? pluginsFor(extra.filterChain) : ''}
`;
}

async function startServer(onConnection: (s: Socket) => void): Promise<{ port: number; sockets: Set<Socket>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    onConnection(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const echo = (s: Socket) => s.pipe(s);

async function connectTo(port: number): Promise<Socket> {
  const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  c.on('error', () => {});
  await once(c, 'connect');
  return c;
}

function readAll(s: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve) => s.once('end', () => resolve(Buffer.concat(chunks))));
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? NaN : Number(line.split(' ').pop());
}

test('bytes pass through both ways: a 32 MiB payload echoes back intact, and metrics count it', async () => {
  const up = await startServer(echo);
  const proxy = await startProxy(tcpConfig(up.port));
  try {
    const c = await connectTo(proxy.port);
    const payload = randomBytes(32 << 20);
    const got = readAll(c);
    c.end(payload);
    const back = await got;
    assert.equal(back.length, payload.length);
    assert.equal(createHash('sha256').update(back).digest('hex'), createHash('sha256').update(payload).digest('hex'));
    c.destroy();
    const text = await proxy.registry.metrics();
    assert.equal(metricValue(text, 'weft_tcp_bytes_total', 'listener="main",direction="received"'), payload.length);
    assert.equal(metricValue(text, 'weft_tcp_bytes_total', 'listener="main",direction="sent"'), payload.length);
    assert.equal(metricValue(text, 'weft_tcp_connections_total', 'listener="main"'), 1);
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('half-close: the client ends its side, the upstream still answers, then both close', async () => {
  // The upstream reads until the client's FIN, then answers with a digest of what it got.
  const up = await startServer((s) => {
    const h = createHash('sha256');
    let n = 0;
    s.on('data', (d: Buffer) => {
      h.update(d);
      n += d.length;
    });
    s.on('end', () => s.end(`${n} ${h.digest('hex')}`));
  });
  const proxy = await startProxy(tcpConfig(up.port));
  try {
    const c = await connectTo(proxy.port);
    const payload = randomBytes(3 << 20);
    const answer = readAll(c);
    c.end(payload);
    const text = (await answer).toString();
    assert.equal(text, `${payload.length} ${createHash('sha256').update(payload).digest('hex')}`);
    await once(c, 'close');
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('the upstream half-closes first: the client can still send, and gets the rest', async () => {
  const up = await startServer((s) => {
    s.write('banner\n');
    s.end();
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => (received = Buffer.concat(chunks).toString()));
  });
  let received = '';
  const proxy = await startProxy(tcpConfig(up.port));
  try {
    const c = await connectTo(proxy.port);
    const got = readAll(c);
    assert.equal((await got).toString(), 'banner\n');
    c.end('after the server finished sending');
    await once(c, 'close');
    await until(() => received !== '', 10_000, 'the upstream got the client bytes');
    assert.equal(received, 'after the server finished sending');
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('a network filter rewrites bytes both ways and sees the connection close', async () => {
  const events: string[] = [];
  const upper: NetworkFilterFactory = {
    name: 'upper',
    create(cb: NetworkFilterCallbacks) {
      return {
        onNewConnection() {
          events.push('new');
          return FilterAction.Continue;
        },
        onDownstreamData(data: BodyBuffer) {
          data.splice(0, data.length, Buffer.from(data.toBuffer().toString().toUpperCase()));
          return FilterAction.Continue;
        },
        onUpstreamData(data: BodyBuffer) {
          if (data.length > 0) data.splice(0, 0, Buffer.from(`[via ${cb.upstreamAddress() ?? '?'}] `));
          return FilterAction.Continue;
        },
        onDownstreamClose: (p: PeerType) => events.push(`down:${p}`),
        onUpstreamClose: (p: PeerType) => events.push(`up:${p}`),
        onConnectionComplete: () => events.push('complete'),
      };
    },
  };
  const up = await startServer((s) => {
    s.on('data', (d: Buffer) => s.write(`got ${d.toString()}`));
    s.on('end', () => s.end());
  });
  const proxy = await startProxy(tcpConfig(up.port, { filterChain: 'f' }), { filterChains: networkChains({ f: [upper] }) });
  try {
    const c = await connectTo(proxy.port);
    const got = readAll(c);
    c.end('hello');
    assert.equal((await got).toString(), `[via 127.0.0.1:${up.port}] got HELLO`);
    await once(c, 'close');
    await until(() => events.includes('complete'), 10_000, 'onConnectionComplete');
    assert.equal(events[0], 'new');
    assert.ok(events.includes('down:remote'));
    assert.ok(events.includes('up:remote'));
    assert.equal(events.at(-1), 'complete');
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('a filter holding the new connection keeps the upstream closed until it continues', async () => {
  let held: NetworkFilterCallbacks | undefined;
  const gate: NetworkFilterFactory = {
    name: 'gate',
    create(cb) {
      held = cb;
      return { onNewConnection: () => FilterAction.Stop };
    },
  };
  let upstreamConnections = 0;
  const up = await startServer((s) => {
    upstreamConnections++;
    echo(s);
  });
  const proxy = await startProxy(tcpConfig(up.port, { filterChain: 'f' }), { filterChains: networkChains({ f: [gate] }) });
  try {
    const c = await connectTo(proxy.port);
    const got = readAll(c);
    c.write('early bytes');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(upstreamConnections, 0);
    held!.continue();
    c.end();
    assert.equal((await got).toString(), 'early bytes');
    assert.equal(upstreamConnections, 1);
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('no upstream connection: the client connection is reset and the failure counted', async () => {
  const dead = await startServer(() => {});
  const port = dead.port;
  await dead.close();
  const proxy = await startProxy(tcpConfig(port));
  try {
    const c = await connectTo(proxy.port);
    const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      c.once('error', (e) => resolve(e));
      c.once('close', () => resolve(undefined));
    });
    assert.equal(err?.code, 'ECONNRESET');
    const text = await proxy.registry.metrics();
    assert.equal(metricValue(text, 'weft_tcp_upstream_connect_failures_total', 'listener="main"'), 1);
    assert.match(JSON.stringify(proxy.logs.lines), /ECONNREFUSED/);
  } finally {
    await proxy.close();
  }
});

test('an idle connection is closed after idle_timeout', async () => {
  const up = await startServer(echo);
  const proxy = await startProxy(tcpConfig(up.port, { idle: '200ms' }));
  try {
    const c = await connectTo(proxy.port);
    c.write('x');
    await once(c, 'data');
    const started = Date.now();
    await once(c, 'end');
    assert.ok(Date.now() - started >= 150, 'closed by the idle timeout, not at once');
    await until(async () => metricValue(await proxy.registry.metrics(), 'weft_tcp_connections_active', 'listener="main"') === 0, 10_000, 'active connections back to 0');
  } finally {
    await proxy.close();
    await up.close();
  }
});

test('a client that does not read holds the upstream back (memory bounded)', async () => {
  let written = 0;
  let blocked = false;
  const total = 256 << 20;
  const up = await startServer((s) => {
    const chunk = Buffer.alloc(64 << 10);
    const pump = () => {
      while (written < total) {
        written += chunk.length;
        if (!s.write(chunk)) {
          blocked = true;
          s.once('drain', () => {
            blocked = false;
            pump();
          });
          return;
        }
      }
      s.end();
    };
    pump();
  });
  const proxy = await startProxy(tcpConfig(up.port));
  try {
    const c = await connectTo(proxy.port);
    c.pause();
    // Wait until the upstream has been blocked for a while with nothing read by the client.
    let stableSince = Date.now();
    let last = -1;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (written !== last || !blocked) {
        last = written;
        stableSince = Date.now();
      } else if (Date.now() - stableSince > 500) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(written < 64 << 20, `the upstream wrote only what the buffers hold (${written} bytes of ${total})`);
    let got = 0;
    c.on('data', (d: Buffer) => (got += d.length));
    c.resume();
    await once(c, 'end');
    assert.equal(got, total);
  } finally {
    await proxy.close();
    await up.close();
  }
});
