// Command-line options of `npm run bench` (after `--`), with the presets of a full and a --quick run.
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import type { UpstreamKind } from './upstream/upstream.js';

export interface BenchOptions {
  readonly mode: 'full' | 'quick' | 'custom';
  readonly micro: boolean;
  readonly json: string | undefined;
  /** Also write the results as Markdown tables here. */
  readonly markdown: string | undefined;
  /** Where the timestamped JSON and SVG go; undefined with --no-save. */
  readonly outDir: string | undefined;
  readonly rounds: number;
  /** Seconds per measurement (whole seconds: wrk's unit). */
  readonly durationS: number;
  readonly warmupS: number;
  /** Warm up rows without a JIT too (nginx, the origin); --quick skips them to stay in its budget. */
  readonly warmupAll: boolean;
  /** How long the quiet check samples /proc/stat before a round, and how long it may wait for quiet. */
  readonly quietSampleMs: number;
  readonly quietWaitMs: number;
  /** Foreign CPU (in cores) above which the machine counts as busy. */
  readonly noiseLimit: number;
  /** Repeat a noisy round once. */
  readonly repeatNoisy: boolean;
  readonly cases: readonly string[] | undefined;
  readonly rows: readonly string[] | undefined;
  readonly upstream: UpstreamKind | 'auto';
  readonly forceNodeGenerator: boolean;
  readonly weftWorkers: number;
  readonly pin: boolean;
  /** --micro: tinybench time per task (ms) and module-name filter. */
  readonly microTimeMs: number;
  readonly microFilter: string | undefined;
}

export const USAGE = `Usage: npm run bench [-- options]

  (no option)          full run: every case, 3 rounds x 5 s after a 3 s warm-up per row
  --quick              whole run within ~90 s: --quick cases, 3 rounds x 1 s, 1 s warm-up of
                       Node rows only, no quiet wait, no repeats
  --json PATH          also write the results as JSON to PATH
  --markdown PATH      also write the results as Markdown tables to PATH (for docs/benchmarks.md)
  --micro              run the tinybench micro benchmarks (bench/micro/*.bench.ts) instead
  --rounds N           interleaved rounds per case (default 3)
  --duration S         seconds per measurement (whole seconds, default 5)
  --warmup S           warm-up seconds per row before the first round (default 3; 0 skips)
  --case A,B           only these cases (names as in the table)
  --rows A,B           only these rows (direct, weft, http-proxy, fastify-http-proxy, nginx)
  --upstream K         origin: nginx (default when installed) or node
  --generator node     use the Node load generator even if wrk/h2load are installed
  --weft-workers N     weft proxy --workers N (default 1: one proxy core, like nginx's one worker)
  --quiet-wait S       seconds to wait for a quiet machine before each round (default 10; 0 in --quick)
  --no-pin             do not pin processes to cores
  --out-dir DIR        where timestamped results go (default bench/results)
  --no-save            do not write results under bench/results
  --filter S           with --micro: only modules whose file name contains S
  --help               this text
`;

export class UsageError extends Error {}

function int(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min) throw new UsageError(`${name} needs a whole number >= ${min}`);
  return n;
}

function list(name: string, value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') throw new UsageError(`${name} needs a comma-separated list`);
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const full = { rounds: 3, durationS: 5, warmupS: 3, warmupAll: true, quietSampleMs: 1000, quietWaitMs: 10_000, repeatNoisy: true, microTimeMs: 1000 };
  const quick = { rounds: 3, durationS: 1, warmupS: 1, warmupAll: false, quietSampleMs: 300, quietWaitMs: 0, repeatNoisy: false, microTimeMs: 200 };
  const isQuick = argv.includes('--quick');
  const preset = isQuick ? quick : full;
  let o: { -readonly [K in keyof BenchOptions]: BenchOptions[K] } = {
    mode: isQuick ? 'quick' : 'full',
    micro: false,
    json: undefined,
    markdown: undefined,
    outDir: join(repoRoot, 'bench', 'results'),
    ...preset,
    noiseLimit: 0.1,
    cases: undefined,
    rows: undefined,
    upstream: 'auto',
    forceNodeGenerator: false,
    weftWorkers: 1,
    pin: true,
    microFilter: undefined,
  };
  const args = [...argv];
  while (args.length > 0) {
    const a = args.shift()!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args.shift();
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--quick':
        break;
      case '--micro':
        o.micro = true;
        break;
      case '--json':
        o.json = value();
        if (!o.json) throw new UsageError('--json needs a file path');
        break;
      case '--markdown':
        o.markdown = value();
        if (!o.markdown) throw new UsageError('--markdown needs a file path');
        break;
      case '--rounds':
        o = { ...o, rounds: int('--rounds', value(), 1), mode: 'custom' };
        break;
      case '--duration':
        o = { ...o, durationS: int('--duration', value(), 1), mode: 'custom' };
        break;
      case '--warmup':
        o = { ...o, warmupS: int('--warmup', value(), 0), mode: 'custom' };
        break;
      case '--case':
      case '--cases':
        o.cases = list('--case', value());
        break;
      case '--rows':
        o.rows = list('--rows', value());
        break;
      case '--upstream': {
        const v = value();
        if (v !== 'nginx' && v !== 'node') throw new UsageError('--upstream is nginx or node');
        o.upstream = v;
        break;
      }
      case '--generator': {
        const v = value();
        if (v !== 'node' && v !== 'auto') throw new UsageError('--generator is node or auto');
        o.forceNodeGenerator = v === 'node';
        break;
      }
      case '--weft-workers':
        o.weftWorkers = int('--weft-workers', value(), 1);
        break;
      case '--quiet-wait':
        o.quietWaitMs = int('--quiet-wait', value(), 0) * 1000;
        break;
      case '--no-pin':
        o.pin = false;
        break;
      case '--out-dir':
        o.outDir = value();
        if (!o.outDir) throw new UsageError('--out-dir needs a directory');
        break;
      case '--no-save':
        o.outDir = undefined;
        break;
      case '--filter':
        o.microFilter = value();
        break;
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  return o;
}
