// Row "weft": the Weft CLI (`weft proxy --config FILE`) with a listener -> route table -> cluster config, on core 1.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseSnapshot } from '../../api/snapshot/index.js';
import { distPath, repoRoot } from '../paths.js';
import { freePort, waitUntilServing } from '../system/net.js';
import { probe, stop } from '../system/processes.js';
import type { Target } from './target.js';

/** The weft.yaml the row runs: every request routed (prefix "/") to one cluster holding the origin. */
export function weftBenchConfig(port: number, adminPort: number, upstreamPort: number): Record<string, unknown> {
  return {
    admin: { address: `127.0.0.1:${adminPort}` },
    listeners: [{ name: 'bench', address: `127.0.0.1:${port}`, http: { route_table: 'bench', drain_timeout: '1s' } }],
    route_tables: [
      {
        name: 'bench',
        virtual_hosts: [{ name: 'any', domains: ['*'], routes: [{ name: 'origin', match: { path: { prefix: '/' } }, forward: { cluster: 'origin' } }] }],
      },
    ],
    clusters: [{ name: 'origin', endpoints: [{ address: `127.0.0.1:${upstreamPort}` }] }],
  };
}

function weftVersion(): string {
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // keep "unknown"
  }
  const rev = probe('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']);
  const dirty = probe('git', ['-C', repoRoot, 'status', '--porcelain', '--untracked-files=no']);
  return `${version}${rev ? ` (${rev}${dirty ? ', uncommitted changes' : ''})` : ''}`;
}

export function weftTarget(workers: number): Target {
  return {
    name: 'weft',
    jit: true,
    unavailable: () =>
      existsSync(distPath('cli/main.js')) ? undefined : 'the Weft CLI is not built (dist/cli/main.js is missing): `weft proxy` cannot start',
    versions: () => ({ weft: weftVersion() }),
    unsupported: () => undefined,
    async start(env) {
      const dir = join(env.dir, 'weft');
      mkdirSync(dir, { recursive: true });
      const [port, adminPort] = [await freePort(), await freePort()];
      let config = weftBenchConfig(port, adminPort, env.upstream.h1Port);
      if (env.weftPatch) config = await env.weftPatch(config, { dir, memo: env.memo });
      const text = stringify(config);
      const file = join(dir, 'weft.yaml');
      writeFileSync(file, text);
      const parsed = parseSnapshot(text, { file });
      if (!parsed.ok) {
        throw new Error(`the generated ${file} is invalid: ${parsed.error.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
      }
      const args = [join(repoRoot, 'bin', 'weft.js'), 'proxy', '--config', file, '--admin', `127.0.0.1:${adminPort}`, '--workers', String(workers)];
      // Logs at warn: like nginx's access_log off, the bench measures proxying, not log shipping.
      const child = env.group.spawn(process.execPath, args, {
        core: 1,
        label: 'weft',
        cwd: dir,
        env: { ...process.env, WEFT_LOG_LEVEL: process.env.WEFT_LOG_LEVEL ?? 'warn' },
      });
      await waitUntilServing(env.protocol, port, env.probePath, env.probeBytes, child);
      return { pid: child.pid, port, stop: () => stop(child, 'SIGTERM', 5000) };
    },
  };
}
