import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseSnapshot } from '../../api/snapshot/index.js';
import { CASES } from '../cases.js';
import { weftBenchConfig } from './target-weft.js';
import { RunMemo } from './target.js';

test('the generated weft.yaml is a valid Snapshot: one listener -> route table -> cluster holding the origin', () => {
  const parsed = parseSnapshot(stringify(weftBenchConfig(18080, 19901, 18081)), { file: 'weft.yaml' });
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.error));
  const s = parsed.value;
  assert.equal(s.listeners[0]!.address.port, 18080);
  assert.equal(s.listeners[0]!.http!.route_table, 'bench');
  assert.equal(s.route_tables[0]!.virtual_hosts[0]!.routes[0]!.forward!.cluster, 'origin');
  assert.deepEqual(s.clusters[0]!.endpoints[0]!.address, { host: '127.0.0.1', port: 18081 });
  assert.equal(s.admin.address.port, 19901);
});

test('every Weft variant of every case still yields a valid Snapshot, with its modules written', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-variants-'));
  const memo = new RunMemo(dir);
  try {
    for (const c of CASES) {
      for (const v of c.weftVariants ?? []) {
        const config = await v.patch(weftBenchConfig(18080, 19901, 18081), { dir, memo });
        const parsed = parseSnapshot(stringify(config), { file: `${c.name}/${v.name}` });
        assert.ok(parsed.ok, `${c.name}/${v.name}: ${parsed.ok ? '' : JSON.stringify(parsed.error)}`);
        for (const p of parsed.value.plugins) assert.ok(existsSync(p.module.file!), `${v.name}: ${p.module.file} was written`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
