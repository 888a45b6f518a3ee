// The demo upstream behind `weft proxy --demo-upstream`: a JSON echo on the endpoints of the cluster "demo".
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatAddress, type Snapshot } from '../../api/snapshot/index.js';
import { WeftError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';

export const DEMO_CLUSTER = 'demo';

/** Largest request body echoed back as text; longer bodies are only counted. */
const ECHO_BODY_LIMIT = 64 * 1024;

export interface DemoUpstream {
  /** Bound addresses, "host:port". */
  readonly addresses: readonly string[];
  close(): Promise<void>;
}

/**
 * Serves, on every endpoint of the cluster named "demo", a JSON echo of each request: method,
 * path, headers (as received from the proxy), body (as text up to 64 KiB, and its length) and
 * which demo endpoint answered. Started once with the first Snapshot; reloads do not move it.
 */
export async function startDemoUpstream(snapshot: Snapshot, log: Logger): Promise<DemoUpstream> {
  const cluster = snapshot.clusters.find((c) => c.name === DEMO_CLUSTER);
  if (!cluster) throw new WeftError('demo_upstream', `--demo-upstream: the config has no cluster named "${DEMO_CLUSTER}"`);
  if (cluster.endpoints.length === 0) throw new WeftError('demo_upstream', `--demo-upstream: cluster "${DEMO_CLUSTER}" has no endpoints`);
  const servers: Server[] = [];
  const addresses: string[] = [];
  try {
    for (const e of cluster.endpoints) {
      if (e.address.port === 0) throw new WeftError('demo_upstream', `--demo-upstream: endpoint ${formatAddress(e.address)} needs a fixed port`);
      const server = echoServer(formatAddress(e.address));
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err) => reject(new WeftError('demo_upstream', `--demo-upstream: cannot listen on ${formatAddress(e.address)}: ${err.message}`, { cause: err })));
        server.listen(e.address.port, e.address.host, () => resolve());
      });
      servers.push(server);
      const a = server.address() as AddressInfo;
      addresses.push(formatAddress({ host: a.address, port: a.port }));
    }
  } catch (e) {
    await Promise.all(servers.map(closeServer));
    throw e;
  }
  log.info({ addresses }, 'demo upstream listening');
  return { addresses, close: () => Promise.all(servers.map(closeServer)).then(() => {}) };
}

function echoServer(name: string): Server {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (c: Buffer) => {
      length += c.length;
      if (length <= ECHO_BODY_LIMIT) chunks.push(c);
    });
    req.on('end', () => {
      const body = JSON.stringify(
        {
          upstream: name,
          method: req.method,
          path: req.url,
          headers: req.headers,
          body: length <= ECHO_BODY_LIMIT ? Buffer.concat(chunks).toString('utf8') : null,
          body_length: length,
        },
        null,
        2,
      );
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) + 1 });
      res.end(`${body}\n`);
    });
    req.on('error', () => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
