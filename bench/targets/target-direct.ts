// Row "direct": the load generator talks to the origin itself; the ceiling every proxied row is measured against.
import type { Target } from './target.js';

export function directTarget(): Target {
  return {
    name: 'direct',
    jit: false,
    unavailable: () => undefined,
    versions: () => ({}),
    unsupported: () => undefined,
    async start(env) {
      const u = env.upstream;
      // No proxy: the CPU and RSS columns are the origin's own.
      return { pid: u.pid, port: env.protocol === 'h1' ? u.h1Port : u.h2Port, stop: async () => undefined };
    },
  };
}
