// Running nginx for the bench (as the origin upstream or as a peer proxy): config in a temp dir, stopped by PID.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { probe, type Child, type Core, type ProcessGroup } from './processes.js';

/** nginx version ("1.22.1"), or undefined when nginx is not installed. */
export function nginxVersion(): string | undefined {
  const out = probe('nginx', ['-v']);
  return out ? (/nginx\/(\S+)/.exec(out)?.[1] ?? out) : undefined;
}

/**
 * The top of an nginx config that runs unprivileged-friendly from `dir`: one worker, no daemon,
 * every temp path and log inside `dir`. As root, workers run as root too (nginx would otherwise
 * switch them to `nobody`, who cannot write `dir`).
 */
export function nginxPreamble(dir: string): string {
  const user = userInfo().uid === 0 ? 'user root;\n' : '';
  return `${user}worker_processes 1;
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 8192; multi_accept on; }
`;
}

/** Temp paths and logging inside the `http {}` block. */
export function nginxHttpCommon(dir: string): string {
  return `  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  keepalive_requests 10000000;
  keepalive_timeout 300s;
`;
}

/** Writes `conf` into `dir`, starts nginx on `core` and returns its master process. */
export function startNginx(group: ProcessGroup, dir: string, conf: string, core: Core, label: string): Child {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  return group.spawn('nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', file], { core, label });
}
