// `weft proxy --workers 2` with Wasm plugins: shared data is one store across worker processes (CAS stays linearizable), plugin metrics reach the admin endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { WeftProcess } from '../ops/weft-process.js';
import { serving, tempDir } from '../ops/fixtures.js';
import { buildE2eFilter, ModuleDir, startUpstream } from './e2e-harness.js';

/** GET on a new connection (the primary hands connections to workers in turn). */
function getFresh(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('--workers 2: a CAS counter in shared data counts every request exactly once across both workers; plugin metrics are on /stats/prometheus', async (t) => {
  const modules = new ModuleDir();
  t.after(() => modules.cleanup());
  const e2e = await buildE2eFilter(modules);
  const app = await startUpstream();
  t.after(() => app.close());
  const dir = tempDir(t);
  const path = join(dir, 'weft.yaml');
  writeFileSync(
    path,
    `admin: { address: 127.0.0.1:0 }
listeners:
  - name: web
    address: 127.0.0.1:0
    http: { route_table: main, filter_chain: edge }
route_tables:
  - name: main
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - forward: { cluster: app }
clusters:
  - name: app
    endpoints: [{ address: 127.0.0.1:${app.port} }]
plugins:
  - name: hits
    vm_id: hits
    module: { file: ${e2e} }
    configuration: { mode: shared }
    environment: { allow: [WEFT_WORKER_ID] }
    filter_chains: [edge]
  - name: counted
    vm_id: counted
    module: { file: ${e2e} }
    configuration: { mode: count }
    filter_chains: [edge]
`,
  );
  const weft = new WeftProcess(['proxy', '--config', path, '--workers', '2']);
  t.after(() => weft.stop());
  const { admin, web } = await serving(weft);

  const n = 40;
  const replies = [];
  for (let i = 0; i < n; i += 4) replies.push(...(await Promise.all([0, 1, 2, 3].map((k) => getFresh(`${web}/r/${i + k}`)))));
  assert.deepEqual(replies.map((r) => r.status), Array(n).fill(200));
  const counts = replies.map((r) => Number(r.headers['x-count'])).sort((a, b) => a - b);
  assert.deepEqual(counts, Array.from({ length: n }, (_, i) => i + 1), `every request got its own count: one store, no lost update (${JSON.stringify(replies.map((r) => [r.headers['x-worker'], r.headers['x-count']]))})`);
  const workers = new Set(replies.map((r) => r.headers['x-worker']));
  assert.deepEqual([...workers].sort(), ['1', '2'], 'both worker processes served and counted');

  const metrics = await (await fetch(`${admin}/stats/prometheus`)).text();
  const total = [...metrics.matchAll(/^weft_wasm_e2e_requests_total\{[^}]*plugin="counted"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  assert.equal(total, n, 'the plugin counter, summed over workers, on the admin endpoint');
  assert.match(metrics, /^weft_wasm_active_vms\{[^}]*plugin="hits"[^}]*\} \d+$/m);
});
