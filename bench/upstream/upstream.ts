// The origin server every row talks to: nginx serving fixed bodies when installed, else the Node origin.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LARGE_PATH, TINY_BODY, TINY_PATH, bodyBytes, largeBody } from './content.js';
import { freePort, waitUntilServing } from '../system/net.js';
import { nginxHttpCommon, nginxPreamble, startNginx } from '../system/nginx.js';
import { stop, type Child, type ProcessGroup } from '../system/processes.js';
import { distPath } from '../paths.js';

export type UpstreamKind = 'nginx' | 'node';

export interface Upstream {
  readonly kind: UpstreamKind;
  /** Root of the upstream's process tree (for its CPU share). */
  readonly pid: number;
  readonly h1Port: number;
  readonly h2Port: number;
  readonly description: string;
  stop(): Promise<void>;
}

/** Starts the origin on core 0 (with the load generator) and waits until both ports serve. */
export async function startUpstream(kind: UpstreamKind, group: ProcessGroup, dir: string): Promise<Upstream> {
  return kind === 'nginx' ? startNginxOrigin(group, dir) : startNodeOrigin(group);
}

async function startNginxOrigin(group: ProcessGroup, dir: string): Promise<Upstream> {
  const root = join(dir, 'origin');
  mkdirSync(join(root, 'www'), { recursive: true });
  writeFileSync(join(root, 'www', LARGE_PATH.slice(1)), largeBody());
  const [h1Port, h2Port] = [await freePort(), await freePort()];
  const tiny = TINY_BODY.replace(/\n/g, '\\n');
  const conf = `${nginxPreamble(root)}http {
${nginxHttpCommon(root)}  sendfile on;
  tcp_nopush on;
  server {
    listen 127.0.0.1:${h1Port};
    listen 127.0.0.1:${h2Port} http2;
    location = ${TINY_PATH} { default_type application/octet-stream; return 200 "${tiny}"; }
    location = ${LARGE_PATH} { default_type application/octet-stream; root ${join(root, 'www')}; }
  }
}
`;
  const child = startNginx(group, root, conf, 0, 'origin (nginx)');
  await ready(child, h1Port, h2Port);
  return make('nginx', child, h1Port, h2Port, 'nginx serving fixed bodies (return 200 / sendfile), 1 worker, core 0');
}

async function startNodeOrigin(group: ProcessGroup): Promise<Upstream> {
  const child = group.spawn(process.execPath, [distPath('bench/upstream/node-origin.js')], { core: 0, label: 'origin (node)' });
  const m = await child.waitForLine(/\{"h1":(\d+),"h2":(\d+)\}/, 10_000);
  const [h1Port, h2Port] = [Number(m[1]), Number(m[2])];
  await ready(child, h1Port, h2Port);
  return make('node', child, h1Port, h2Port, 'Node origin: canned HTTP/1.1 answers on a raw net server, node:http2 for h2c, core 0');
}

async function ready(child: Child, h1Port: number, h2Port: number): Promise<void> {
  await waitUntilServing('h1', h1Port, TINY_PATH, bodyBytes(TINY_PATH), child);
  await waitUntilServing('h1', h1Port, LARGE_PATH, bodyBytes(LARGE_PATH), child);
  await waitUntilServing('h2', h2Port, TINY_PATH, bodyBytes(TINY_PATH), child);
}

function make(kind: UpstreamKind, child: Child, h1Port: number, h2Port: number, description: string): Upstream {
  return { kind, pid: child.pid, h1Port, h2Port, description, stop: () => stop(child) };
}
