import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMicroModules, renderMicro, runMicroModule } from './micro.js';

test('runMicroModule runs the tasks a module adds and reports them; a module without a default function is an error row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-micro-'));
  try {
    const good = join(dir, 'sum.bench.js');
    writeFileSync(good, "let s = 0;\nexport default function (bench) { bench.add('sum to 100', () => { for (let i = 0; i < 100; i++) s += i; }); bench.add('throws', () => { throw new Error('boom'); }); }\n");
    const rows = await runMicroModule(good, 30);
    assert.equal(rows.length, 2);
    const sum = rows.find((r) => r.task === 'sum to 100')!;
    assert.equal(sum.module, 'sum');
    assert.ok(sum.ops_per_s > 0 && sum.median_ns > 0 && sum.samples > 0 && sum.error === undefined);
    assert.match(rows.find((r) => r.task === 'throws')!.error!, /boom/);

    const bad = join(dir, 'bad.bench.js');
    writeFileSync(bad, 'export const x = 1;\n');
    const [row] = await runMicroModule(bad, 30);
    assert.match(row!.error!, /no default export/);
    const table = renderMicro([...rows, row!]);
    assert.match(table, /^sum +sum to 100 +[\d,]+ /m);
    assert.match(table, /ERROR: no default export/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('findMicroModules finds the compiled bench/micro modules, filtered by name', () => {
  const all = findMicroModules();
  assert.ok(all.some((f) => f.endsWith('header-map.bench.js')), all.join(', '));
  assert.deepEqual(findMicroModules('header-map').map((f) => f.slice(f.lastIndexOf('/') + 1)), ['header-map.bench.js']);
});
