// Smoke test of `npm run bench`: the runner in a tiny mode (one case, one round of 1 s per row) and the JSON it promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distPath, repoRoot } from '../../bench/paths.js';
import { wrkVersion } from '../../bench/load/load-wrk.js';
import { nginxVersion } from '../../bench/system/nginx.js';

const wrk = wrkVersion();
const nginx = nginxVersion();
if (!wrk) {
  process.stderr.write('\n!!! bench-smoke: SKIPPED — wrk is not installed (apt-get install wrk); the bench smoke test did not run !!!\n\n');
}

interface Row {
  name: string;
  status?: string;
  error?: string;
  [k: string]: unknown;
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [distPath('bench/run.js'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 100_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('bench runner: one case, one round — JSON shape, positive numbers, table, saved JSON and SVG', { skip: wrk ? false : 'wrk is not installed', timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-smoke-'));
  try {
    const json = join(dir, 'out.json');
    const res = await runBench(['--quick', '--case', 'tiny-get', '--rounds', '1', '--json', json, '--out-dir', join(dir, 'results')]);
    const context = `exit ${res.code}\n--- stdout\n${res.stdout}\n--- stderr\n${res.stderr}`;
    assert.ok(existsSync(json), `no JSON written\n${context}`);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { cases: { name: string; rows: Row[] }[] };
    assert.equal(report.cases.length, 1);
    assert.equal(report.cases[0]!.name, 'tiny-get');
    const rows = report.cases[0]!.rows;
    const expected = ['direct', 'weft', 'http-proxy', 'fastify-http-proxy', ...(nginx ? ['nginx'] : [])];
    for (const name of expected) {
      const row = rows.find((r) => r.name === name);
      assert.ok(row, `row ${name} missing\n${context}`);
      assert.equal(row.status, 'ok', `row ${name}: ${row.status}: ${row.error}\n${context}`);
      for (const field of ['rps', 'p50_ms', 'p99_ms', 'cpu_s_per_1k', 'rss_mb']) {
        const v: unknown = row[field];
        assert.equal(typeof v, 'number', `${name}.${field} is ${JSON.stringify(v)}`);
        assert.ok(Number.isFinite(v) && (v as number) > 0, `${name}.${field} = ${v} is not positive`);
      }
      assert.ok((row.p99_ms as number) >= (row.p50_ms as number), `${name}: p99 below p50`);
    }
    if (!nginx) {
      const row = rows.find((r) => r.name === 'nginx');
      assert.ok(row && row.status === 'unavailable' && typeof row.error === 'string', 'without nginx the row says why');
    }
    const weftRps = rows.find((r) => r.name === 'weft')!.rps as number;
    for (const row of rows.filter((r) => r.status === 'ok')) assert.equal(row.rps_vs_weft, Number(((row.rps as number) / weftRps).toFixed(3)));
    assert.equal(res.code, 0, context);
    for (const name of expected) assert.match(res.stdout, new RegExp(`^  ${name}\\b`, 'm'), `table line for ${name}`);
    const saved = readdirSync(join(dir, 'results'));
    assert.ok(saved.some((f) => /^bench-.*\.json$/.test(f)) && saved.some((f) => /^bench-.*\.svg$/.test(f)), saved.join(', '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
