// Row "nginx": proxy_pass to the origin through an upstream keepalive pool, one worker on core 1, stopped by PID.
import { join } from 'node:path';
import { freePort, waitUntilServing } from '../system/net.js';
import { nginxHttpCommon, nginxPreamble, nginxVersion, startNginx } from '../system/nginx.js';
import { stop } from '../system/processes.js';
import type { Target } from './target.js';

export function nginxTarget(): Target {
  const version = nginxVersion();
  return {
    name: 'nginx',
    jit: false,
    unavailable: () => (version === undefined ? 'nginx is not installed' : undefined),
    versions: (): Record<string, string> => (version ? { nginx: version } : {}),
    unsupported: () => undefined,
    async start(env) {
      const dir = join(env.dir, 'nginx');
      const port = await freePort();
      const h2 = env.protocol === 'h2' ? ' http2' : '';
      // Buffers hold a whole 64 KiB answer, and never spill to disk: the comparison is about proxying.
      const conf = `${nginxPreamble(dir)}http {
${nginxHttpCommon(dir)}  upstream origin {
    server 127.0.0.1:${env.upstream.h1Port};
    keepalive 128;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
  }
  server {
    listen 127.0.0.1:${port}${h2};
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffers 32 8k;
      proxy_max_temp_file_size 0;
    }
  }
}
`;
      const child = startNginx(env.group, dir, conf, 1, 'nginx');
      await waitUntilServing(env.protocol, port, env.probePath, env.probeBytes, child);
      return { pid: child.pid, port, stop: () => stop(child) };
    },
  };
}
