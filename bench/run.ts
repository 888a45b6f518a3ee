// `npm run bench`: Weft side by side with direct, http-proxy, @fastify/http-proxy and nginx; `--micro` runs the micro benchmarks.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { CASES, type BenchCase } from './cases.js';
import { runCase, type CaseRun } from './macro.js';
import { runMicro } from './micro.js';
import { parseOptions, USAGE, UsageError, type BenchOptions } from './options.js';
import { selectGenerators } from './load/select.js';
import { renderMarkdown } from './report/markdown.js';
import { renderReport } from './report/table.js';
import { renderSvg } from './report/svg.js';
import { summarizeCase, type BenchReport } from './report/summary.js';
import { nginxVersion } from './system/nginx.js';
import { Pinning, ProcessGroup } from './system/processes.js';
import { directTarget } from './targets/target-direct.js';
import { fastifyHttpProxyTarget, httpProxyTarget } from './targets/target-node-peer.js';
import { nginxTarget } from './targets/target-nginx.js';
import { packageVersion } from './targets/package-version.js';
import { weftTarget } from './targets/target-weft.js';
import { ROW_NAMES, RunMemo, type Target } from './targets/target.js';
import { startUpstream, type Upstream } from './upstream/upstream.js';

const progress = (line: string): void => void process.stderr.write(`${line}\n`);

function selectCases(options: BenchOptions): BenchCase[] {
  if (options.cases) {
    const unknown = options.cases.filter((n) => !CASES.some((c) => c.name === n));
    if (unknown.length > 0) throw new UsageError(`unknown case ${unknown.join(', ')} (cases: ${CASES.map((c) => c.name).join(', ')})`);
    return CASES.filter((c) => options.cases!.includes(c.name));
  }
  return CASES.filter((c) => options.mode !== 'quick' || c.quick);
}

function hostInfo(): Record<string, string | number> {
  let cpu = 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // not Linux: keep "unknown"
  }
  return { cpu, cores: availableParallelism(), kernel: release(), node: process.version, memory_gb: Math.round(totalmem() / 2 ** 30) };
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}

async function runMacro(options: BenchOptions): Promise<number> {
  const cases = selectCases(options);
  if (options.rows) {
    const known = new Set<string>(ROW_NAMES);
    const unknown = options.rows.filter((r) => !known.has(r) && !r.startsWith('weft:'));
    if (unknown.length > 0) throw new UsageError(`unknown row ${unknown.join(', ')} (rows: ${ROW_NAMES.join(', ')})`);
  }
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  const pinning = Pinning.detect(!options.pin);
  const group = new ProcessGroup(pinning);
  const cleanup = (): void => {
    group.killAllNow();
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    progress(`bench: ${sig}, stopping everything it started`);
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const selection = selectGenerators(dir, options.forceNodeGenerator);
    for (const w of selection.warnings) progress(`bench: WARNING: ${w}`);
    if (!pinning.enabled) progress(`bench: WARNING: processes are NOT pinned: ${pinning.reason}`);
    const nginx = nginxVersion();
    const kind = options.upstream === 'auto' ? (nginx ? 'nginx' : 'node') : options.upstream;
    if (kind === 'nginx' && !nginx) throw new UsageError('--upstream nginx: nginx is not installed');

    const targets = new Map<string, Target>(
      [directTarget(), weftTarget(options.weftWorkers), httpProxyTarget(), fastifyHttpProxyTarget(), nginxTarget()].map((t) => [t.name, t]),
    );
    const weftFor = (): Target => targets.get('weft')!;
    progress(`bench: ${options.mode} run, ${cases.length} case(s), ${options.rounds} round(s) × ${options.durationS} s; ${pinning.reason}`);
    const upstream: Upstream = await startUpstream(kind, group, dir);
    progress(`bench: origin: ${upstream.description}`);

    const runs: CaseRun[] = [];
    const memo = new RunMemo(dir);
    for (const c of cases) {
      progress(`bench: case ${c.name}`);
      runs.push(await runCase(c, { options, group, upstream, generators: selection.generators, targets, weftTargetFor: weftFor, dir, memo, progress }));
    }

    const versions: Record<string, string> = { node: process.version, undici: packageVersion('undici') };
    for (const t of targets.values()) Object.assign(versions, t.versions());
    Object.assign(versions, selection.versions);
    const report: BenchReport = {
      schema: 'weft-bench/1',
      started_at: startedAt.toISOString(),
      finished_at: new Date().toISOString(),
      mode: options.mode,
      rounds: options.rounds,
      duration_s: options.durationS,
      warmup_s: options.warmupS,
      host: hostInfo(),
      versions,
      method: {
        pinning: pinning.enabled ? pinning.reason : `NOT pinned (${pinning.reason})`,
        origin: upstream.description,
        weft: `weft proxy --workers ${options.weftWorkers}, one listener -> route table (prefix /) -> one cluster, metrics on, logs at warn`,
        peers: 'http-proxy: keep-alive agent, xfwd; fastify-http-proxy: defaults (undici pool), logger off; nginx: 1 worker, upstream keepalive 128, access_log off',
        quiet: `before each round /proc/stat is sampled for ${options.quietSampleMs} ms (waiting up to ${options.quietWaitMs} ms for < ${options.noiseLimit} cores of foreign CPU); ${options.repeatNoisy ? 'a round with more foreign CPU than that is repeated once, the quieter attempt kept' : 'noisy rounds are not repeated in this mode'}`,
      },
      warnings: [...selection.warnings, ...(pinning.enabled ? [] : [`processes are NOT pinned: ${pinning.reason}`])],
      cases: runs.map(summarizeCase),
    };
    if (options.mode === 'quick') report.warnings.push('quick mode: short rounds for a sanity check; use a full run for figures worth quoting');

    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (options.outDir) {
      mkdirSync(options.outDir, { recursive: true });
      const base = join(options.outDir, `bench-${timestamp(startedAt)}`);
      writeFileSync(`${base}.json`, json);
      writeFileSync(`${base}.svg`, renderSvg(report));
      progress(`bench: results saved as ${base}.json and ${base}.svg`);
    }
    if (options.json) {
      mkdirSync(dirname(options.json), { recursive: true });
      writeFileSync(options.json, json);
    }
    if (options.markdown) {
      mkdirSync(dirname(options.markdown), { recursive: true });
      writeFileSync(options.markdown, renderMarkdown(report));
    }
    process.stdout.write(`${renderReport(report)}\n`);
    progress(`bench: done in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s`);
    const failed = report.cases.flatMap((c) => c.rows.filter((r) => r.status === 'failed').map((r) => `${c.name}/${r.name}`));
    if (failed.length > 0) progress(`bench: rows that FAILED: ${failed.join(', ')}`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    await group.stopAll();
    rmSync(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bench: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    return options.micro ? await runMicro(options) : await runMacro(options);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bench: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
