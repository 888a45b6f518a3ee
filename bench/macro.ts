// The macro benchmark: start the origin, then per case start every row, warm each up, and measure in interleaved rounds.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase } from './cases.js';
import { measure, quietCheck, rssMb, type Measurement } from './measure.js';
import type { BenchOptions } from './options.js';
import type { GeneratorChoice, LoadGenerator, LoadSpec } from './load/types.js';
import { sleep, type ProcessGroup } from './system/processes.js';
import { ROW_NAMES, type RunMemo, type RunningTarget, type Target, type WeftConfigPatch } from './targets/target.js';
import { bodyBytes } from './upstream/content.js';
import type { Upstream } from './upstream/upstream.js';

export type RowStatus = 'ok' | 'n/a' | 'unavailable' | 'failed';

export interface RowRun {
  readonly name: string;
  status: RowStatus;
  error?: string;
  idleRssMb?: number;
  /** One accepted measurement per round. */
  readonly rounds: Measurement[];
}

export interface RoundInfo {
  /** Foreign CPU (cores) seen by the quiet check before the round. */
  readonly noiseBefore: number;
  /** Highest foreign CPU (cores) during the round's measurements. */
  readonly noiseMax: number;
  /** The round was noisy and was run again; the quieter attempt was kept. */
  readonly repeated: boolean;
}

export interface CaseRun {
  readonly benchCase: BenchCase;
  readonly generator: string;
  readonly rows: RowRun[];
  readonly rounds: RoundInfo[];
  readonly seconds: number;
}

export interface MacroContext {
  readonly options: BenchOptions;
  readonly group: ProcessGroup;
  readonly upstream: Upstream;
  readonly generators: GeneratorChoice;
  readonly targets: ReadonlyMap<string, Target>;
  readonly weftTargetFor: (patch: WeftConfigPatch | undefined) => Target;
  readonly dir: string;
  readonly memo: RunMemo;
  readonly progress: (line: string) => void;
}

interface Live {
  readonly run: RowRun;
  readonly target: Target;
  readonly patch?: WeftConfigPatch;
  running?: RunningTarget;
}

/** Rows of a case, in table order: the five rows (or the case's subset), then Weft's variants. */
export function planRows(c: BenchCase, only: readonly string[] | undefined): { name: string; base: string; patch?: WeftConfigPatch }[] {
  const wanted = (name: string): boolean => only === undefined || only.includes(name);
  const out: { name: string; base: string; patch?: WeftConfigPatch }[] = [];
  for (const name of c.rows ?? ROW_NAMES) if (wanted(name)) out.push({ name, base: name });
  // Variants ride with `weft`: asking for the weft row asks for its variants too.
  if (out.some((r) => r.name === 'weft')) {
    for (const v of c.weftVariants ?? []) out.push({ name: `weft:${v.name}`, base: 'weft', patch: v.patch });
  }
  return out;
}

export function generatorFor(c: BenchCase, g: GeneratorChoice): LoadGenerator {
  if (c.rate !== undefined) return g.fixedRate;
  return c.protocol === 'h1' ? g.h1 : g.h2;
}

function specFor(c: BenchCase, port: number, durationS: number): LoadSpec {
  return { protocol: c.protocol, port, path: c.path, connections: c.connections, streams: c.streams, durationS, ...(c.rate !== undefined ? { rate: c.rate } : {}) };
}

/** A measurement fails the row when nothing completed or more than 1 % of requests failed. */
export function measurementProblem(m: Pick<Measurement, 'requests' | 'non2xx' | 'errors' | 'errorDetail'>): string | undefined {
  const detail = m.errors > 0 && m.errorDetail ? ` (${m.errorDetail})` : '';
  if (m.requests === 0) return `no request completed${detail}`;
  const bad = m.non2xx + m.errors;
  if (bad / (m.requests + m.errors) > 0.01) return `${m.non2xx} non-2xx answers and ${m.errors} errors${detail} out of ${m.requests} requests`;
  return undefined;
}

export async function runCase(c: BenchCase, ctx: MacroContext): Promise<CaseRun> {
  const started = Date.now();
  const { options, group, upstream, progress } = ctx;
  const generator = generatorFor(c, ctx.generators);
  const live: Live[] = [];
  for (const plan of planRows(c, options.rows)) {
    const target = plan.patch ? ctx.weftTargetFor(plan.patch) : ctx.targets.get(plan.base)!;
    const run: RowRun = { name: plan.name, status: 'ok', rounds: [] };
    const unavailable = target.unavailable();
    const unsupported = target.unsupported(c.protocol);
    if (unavailable) Object.assign(run, { status: 'unavailable', error: unavailable });
    else if (unsupported) Object.assign(run, { status: 'n/a', error: unsupported });
    live.push({ run, target, ...(plan.patch ? { patch: plan.patch } : {}) });
  }

  const fail = async (l: Live, message: string): Promise<void> => {
    l.run.status = 'failed';
    l.run.error = message;
    progress(`  ${l.run.name}: FAILED: ${message}`);
    if (l.running) await l.running.stop().catch(() => undefined);
    l.running = undefined;
  };
  const active = (): Live[] => live.filter((l) => l.run.status === 'ok' && l.running);

  try {
    // Rows start together (each waits until it proxies), then sit idle until their turn.
    await Promise.all(
      live
        .filter((l) => l.run.status === 'ok')
        .map(async (l) => {
          const dir = join(ctx.dir, c.name, l.run.name.replace(/[^A-Za-z0-9_.-]/g, '_'));
          mkdirSync(dir, { recursive: true });
          try {
            l.running = await l.target.start({
              group,
              upstream,
              dir,
              protocol: c.protocol,
              probePath: c.path,
              probeBytes: bodyBytes(c.path),
              memo: ctx.memo,
              ...(l.patch ? { weftPatch: l.patch } : {}),
            });
          } catch (e) {
            await fail(l, `could not start: ${(e as Error).message}`);
          }
        }),
    );
    await sleep(500);
    for (const l of active()) l.run.idleRssMb = rssMb(l.running!.pid);

    if (options.warmupS > 0) {
      for (const l of active().filter((x) => options.warmupAll || x.target.jit)) {
        try {
          const m = await measure({ generator, spec: specFor(c, l.running!.port, options.warmupS), rowPid: l.running!.pid, upstreamPid: upstream.pid, group });
          const problem = measurementProblem(m);
          if (problem) await fail(l, `warm-up: ${problem}`);
        } catch (e) {
          await fail(l, `warm-up: ${(e as Error).message}`);
        }
      }
    }

    const rounds: RoundInfo[] = [];
    const ownPids = (): number[] => [upstream.pid, ...active().map((l) => l.running!.pid)];
    const oneRound = async (): Promise<{ results: Map<Live, Measurement>; noiseMax: number }> => {
      const results = new Map<Live, Measurement>();
      let noiseMax = 0;
      for (const l of active()) {
        try {
          const m = await measure({ generator, spec: specFor(c, l.running!.port, options.durationS), rowPid: l.running!.pid, upstreamPid: upstream.pid, group });
          const problem = measurementProblem(m);
          if (problem) {
            await fail(l, `round ${rounds.length + 1}: ${problem}`);
            continue;
          }
          results.set(l, m);
          noiseMax = Math.max(noiseMax, m.noiseCores);
        } catch (e) {
          await fail(l, (e as Error).message);
        }
      }
      return { results, noiseMax };
    };

    for (let r = 0; r < options.rounds && active().length > 0; r++) {
      const q = await quietCheck(options.quietSampleMs, options.quietWaitMs, options.noiseLimit, ownPids());
      let attempt = await oneRound();
      let repeated = false;
      if (attempt.noiseMax > options.noiseLimit && options.repeatNoisy) {
        progress(`  round ${r + 1}: noisy (${attempt.noiseMax.toFixed(2)} cores used by other processes), repeating it once`);
        const again = await oneRound();
        repeated = true;
        if (again.noiseMax < attempt.noiseMax && again.results.size >= attempt.results.size) attempt = again;
      }
      for (const [l, m] of attempt.results) if (l.run.status === 'ok') l.run.rounds.push(m);
      rounds.push({ noiseBefore: q.noiseCores, noiseMax: attempt.noiseMax, repeated });
      progress(
        `  round ${r + 1}/${options.rounds}: ${[...attempt.results].map(([l, m]) => `${l.run.name} ${Math.round(m.rps)}`).join(', ')}` +
          ` (noise ${q.noiseCores.toFixed(2)} before, ${attempt.noiseMax.toFixed(2)} max, in cores)`,
      );
    }
    return { benchCase: c, generator: generator.describe(specFor(c, 0, options.durationS)), rows: live.map((l) => l.run), rounds, seconds: (Date.now() - started) / 1000 };
  } finally {
    await Promise.all(live.map((l) => l.running?.stop().catch(() => undefined)));
  }
}
