// Rows "http-proxy" and "fastify-http-proxy": Node proxies run from bench/peers/, each on core 1.
import { distPath } from '../paths.js';
import { waitUntilServing } from '../system/net.js';
import { stop } from '../system/processes.js';
import { packageVersion } from './package-version.js';
import type { Target } from './target.js';

export function httpProxyTarget(): Target {
  return {
    name: 'http-proxy',
    jit: true,
    unavailable: () => (packageVersion('http-proxy') === 'not installed' ? 'http-proxy is not installed (npm ci)' : undefined),
    versions: () => ({ 'http-proxy': packageVersion('http-proxy') }),
    unsupported: (protocol) => (protocol === 'h2' ? 'node http-proxy serves HTTP/1.1 only' : undefined),
    async start(env) {
      const child = env.group.spawn(process.execPath, [distPath('bench/peers/http-proxy-server.js'), String(env.upstream.h1Port)], {
        core: 1,
        label: 'http-proxy',
      });
      const port = Number((await child.waitForLine(/\{"port":(\d+)\}/, 10_000))[1]);
      await waitUntilServing(env.protocol, port, env.probePath, env.probeBytes, child);
      return { pid: child.pid, port, stop: () => stop(child) };
    },
  };
}

export function fastifyHttpProxyTarget(): Target {
  return {
    name: 'fastify-http-proxy',
    jit: true,
    unavailable: () => (packageVersion('@fastify/http-proxy') === 'not installed' ? '@fastify/http-proxy is not installed (npm ci)' : undefined),
    versions: () => ({ fastify: packageVersion('fastify'), '@fastify/http-proxy': packageVersion('@fastify/http-proxy') }),
    unsupported: () => undefined,
    async start(env) {
      const child = env.group.spawn(
        process.execPath,
        [distPath('bench/peers/fastify-http-proxy-server.js'), String(env.upstream.h1Port), env.protocol],
        { core: 1, label: 'fastify-http-proxy' },
      );
      const port = Number((await child.waitForLine(/\{"port":(\d+)\}/, 10_000))[1]);
      await waitUntilServing(env.protocol, port, env.probePath, env.probeBytes, child);
      return { pid: child.pid, port, stop: () => stop(child) };
    },
  };
}
