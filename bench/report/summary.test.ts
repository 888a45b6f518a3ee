import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeCase } from './summary.js';
import { renderSvg } from './svg.js';
import { renderReport } from './table.js';
import { renderMarkdown } from './markdown.js';
import type { BenchReport } from './summary.js';
import type { CaseRun } from '../macro.js';
import type { Measurement } from '../measure.js';
import { CASES } from '../cases.js';

function m(rps: number, over: Partial<Measurement> = {}): Measurement {
  return {
    rps,
    p50Ms: 1,
    p99Ms: 2,
    requests: rps * 5,
    durationS: 5,
    cpuPer1k: 0.02,
    upstreamCpuPer1k: 0.01,
    rssMb: 80,
    proxyCoreUtil: 0.98,
    clientCoreUtil: 0.6,
    noiseCores: 0.01,
    non2xx: 0,
    errors: 0,
    ...over,
  };
}

const run: CaseRun = {
  benchCase: CASES[0]!,
  generator: 'wrk -t1 -c50',
  seconds: 42,
  rounds: [{ noiseBefore: 0.01, noiseMax: 0.2, repeated: true }],
  rows: [
    { name: 'direct', status: 'ok', idleRssMb: 14, rounds: [m(70000, { proxyCoreUtil: 0.5, clientCoreUtil: 0.99 })] },
    { name: 'weft', status: 'ok', idleRssMb: 44, rounds: [m(50000, { p99Ms: 9 }), m(40000, { p99Ms: 3 }), m(52000, { p99Ms: 2 })] },
    { name: 'http-proxy', status: 'ok', idleRssMb: 48, rounds: [m(15000)] },
    { name: 'fastify-http-proxy', status: 'failed', error: 'could not start: boom', rounds: [] },
    { name: 'nginx', status: 'unavailable', error: 'nginx is not installed', rounds: [] },
  ],
};

test('summarizeCase: medians per row across rounds, ratios against Weft, saturation', () => {
  const c = summarizeCase(run);
  const weft = c.rows.find((r) => r.name === 'weft')!;
  assert.equal(weft.rps, 50000);
  assert.equal(weft.p99_ms, 3);
  assert.equal(weft.rps_vs_weft, 1);
  assert.equal(weft.rss_idle_mb, 44);
  assert.equal(weft.rps_spread, 0.24);
  assert.equal(weft.saturated, 'proxy');
  assert.equal(weft.rounds!.length, 3);
  const direct = c.rows.find((r) => r.name === 'direct')!;
  assert.equal(direct.rps_vs_weft, 1.4);
  assert.equal(direct.saturated, 'client');
  assert.equal(c.rows.find((r) => r.name === 'http-proxy')!.rps_vs_weft, 0.3);
  assert.equal(c.rounds[0]!.repeated, true);
});

test('summarizeCase: a row that did not run has a status and an error, and no metrics', () => {
  const c = summarizeCase(run);
  assert.deepEqual(c.rows.find((r) => r.name === 'fastify-http-proxy'), { name: 'fastify-http-proxy', status: 'failed', error: 'could not start: boom' });
  assert.deepEqual(c.rows.find((r) => r.name === 'nginx'), { name: 'nginx', status: 'unavailable', error: 'nginx is not installed' });
});

test('summarizeCase: without a Weft figure, ratios are null rather than made up', () => {
  const c = summarizeCase({ ...run, rows: run.rows.filter((r) => r.name !== 'weft') });
  assert.equal(c.rows[0]!.rps_vs_weft, null);
});

function report(): BenchReport {
  return {
    schema: 'weft-bench/1',
    started_at: '2026-01-01T00:00:00.000Z',
    finished_at: '2026-01-01T00:01:00.000Z',
    mode: 'full',
    rounds: 3,
    duration_s: 5,
    warmup_s: 3,
    host: { cpu: 'Test CPU', cores: 2, kernel: '6.1', node: 'v20' },
    versions: { weft: '0.1.0' },
    method: { pinning: 'test' },
    warnings: ['a <warning> & more'],
    cases: [summarizeCase(run)],
  };
}

test('renderReport prints one line per row, the failure reasons and the saturation footnote', () => {
  const text = renderReport(report());
  assert.match(text, /^ {2}weft +50,000 +1\.00x +1\.00 +3\.00 /m);
  assert.match(text, /^ {2}direct \* +70,000 +1\.40x/m);
  assert.match(text, /fastify-http-proxy +failed: could not start: boom/);
  assert.match(text, /core 0 \(load generator \+ origin\) was saturated/);
  assert.match(text, /1 noisy round\(s\) repeated once/);
  assert.match(text, /WARNING: a <warning> & more/);
});

test('renderReport marks a closed-loop row that saturated neither core (starved by noise)', () => {
  const r = report();
  const starved = summarizeCase({ ...run, rows: [{ name: 'nginx', status: 'ok', idleRssMb: 14, rounds: [m(20000, { proxyCoreUtil: 0.4, clientCoreUtil: 0.5 })] }] });
  const text = renderReport({ ...r, cases: [starved] });
  assert.match(text, /^ {2}nginx ~ +20,000/m);
  assert.match(text, /~ neither the proxy's core nor core 0 was saturated/);
  const fixedRate = renderReport({ ...r, cases: [{ ...starved, rate_rps: 1000 }] });
  assert.doesNotMatch(fixedRate, /nginx ~/, 'at a fixed rate nothing is meant to saturate');
});

test('renderSvg draws a bar per row that ran, with p99, and escapes text', () => {
  const svg = renderSvg(report());
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 3);
  assert.match(svg, /50,000 rps · p99 3\.00 ms/);
  assert.match(svg, /unavailable: nginx is not installed/);
  assert.doesNotMatch(svg.replace(/<\/?[a-zA-Z?][^<>]*>/g, ''), /[<>]/, 'every < or > outside tags is escaped');
  assert.equal((svg.match(/<text/g) ?? []).length, (svg.match(/<\/text>/g) ?? []).length);
});

test('renderMarkdown: one table per case, a row per row, failures in words, pipes escaped', () => {
  const md = renderMarkdown(report());
  assert.match(md, /^\| weft \| 50,000 \| 1\.00× \| 1\.00 \| 3\.00 \| 0\.0200 \| 44 \| 80 \| 98 % \| 24 % \|$/m);
  assert.match(md, /^\| direct \\\* \| 70,000 \| 1\.40× /m);
  assert.match(md, /^\| nginx \| unavailable: nginx is not installed \|/m);
  const piped = renderMarkdown({ ...report(), cases: [summarizeCase({ ...run, rows: [{ name: 'nginx', status: 'failed', error: 'a|b', rounds: [] }] })] });
  assert.match(piped, /failed: a\\\|b/);
});
