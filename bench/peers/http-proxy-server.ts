// Peer row "http-proxy": node-http-proxy in front of the origin, with a keep-alive agent and X-Forwarded-* headers.
// Usage: node http-proxy-server.js UPSTREAM_PORT  -> prints {"port":N} once listening on 127.0.0.1.
import { Agent, createServer } from 'node:http';
import httpProxy from 'http-proxy';

const upstreamPort = Number(process.argv[2]);
const agent = new Agent({ keepAlive: true, keepAliveMsecs: 30_000 });
const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${upstreamPort}`, agent, xfwd: true });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('bad gateway\n');
  } else {
    res.destroy();
  }
});
const server = createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 300_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
