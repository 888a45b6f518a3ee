// Peer row "fastify-http-proxy": fastify with @fastify/http-proxy (undici pool to the origin), logging off.
// Usage: node fastify-http-proxy-server.js UPSTREAM_PORT h1|h2  -> prints {"port":N} once listening on 127.0.0.1.
// With h2 the server speaks HTTP/2 cleartext (prior knowledge) and still talks HTTP/1.1 to the origin.
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';

const upstreamPort = Number(process.argv[2]);
const http2 = process.argv[3] === 'h2';
const options = { upstream: `http://127.0.0.1:${upstreamPort}` };

async function start(): Promise<{ port: number; close: () => Promise<void> }> {
  if (http2) {
    const app = Fastify({ logger: false, http2: true });
    await app.register(proxy, options);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as { port: number }).port, close: () => app.close() };
  }
  const app = Fastify({ logger: false, keepAliveTimeout: 300_000 });
  await app.register(proxy, options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as { port: number }).port, close: () => app.close() };
}

const server = await start();
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
