// One measurement: drive a row with the load generator while accounting every CPU second on the machine.
import { readCpuTimes, sampleTree, selfCpu, type CpuTimes, type TreeSample } from './system/proc.js';
import { sleep, type ProcessGroup } from './system/processes.js';
import type { LoadGenerator, LoadSpec } from './load/types.js';

export interface Measurement {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly durationS: number;
  /** The row's process tree (the proxy; the origin for `direct`): CPU seconds per 1,000 requests. */
  readonly cpuPer1k: number;
  /** The origin's CPU seconds per 1,000 requests (equal to cpuPer1k for `direct`). */
  readonly upstreamCpuPer1k: number;
  /** Peak RSS of the row's process tree while loaded, MB. */
  readonly rssMb: number;
  /** Share of one core the row used (1 = saturated its core). */
  readonly proxyCoreUtil: number;
  /** Share of one core the load generator and the origin used together (their shared core 0). */
  readonly clientCoreUtil: number;
  /** CPU used by processes outside the bench, in cores (the noise). */
  readonly noiseCores: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly errorDetail?: string;
}

export interface MeasureInput {
  readonly generator: LoadGenerator;
  readonly spec: LoadSpec;
  readonly rowPid: number;
  readonly upstreamPid: number;
  readonly group: ProcessGroup;
}

const MB = 1024 * 1024;

interface Snapshot {
  readonly at: bigint;
  readonly cpu: CpuTimes;
  readonly row: TreeSample;
  readonly upstream: TreeSample;
  readonly generatorCpu: number;
  readonly runnerCpu: number;
}

function snapshot(rowPid: number, upstreamPid: number, generatorPid: number | undefined): Snapshot {
  const row = sampleTree(rowPid);
  const self = selfCpu();
  return {
    at: process.hrtime.bigint(),
    cpu: readCpuTimes(),
    row,
    upstream: upstreamPid === rowPid ? row : sampleTree(upstreamPid),
    // A live generator reports its own CPU; a finished one shows up in our reaped children's CPU.
    generatorCpu: generatorPid !== undefined ? sampleTree(generatorPid).cpu : self.children,
    runnerCpu: self.self,
  };
}

/** Runs the generator against a row and accounts CPU and RSS over the window the generator counts. */
export async function measure(input: MeasureInput): Promise<Measurement> {
  const { rowPid, upstreamPid } = input;
  const sameAsUpstream = rowPid === upstreamPid;
  let before: Snapshot | undefined;
  let after: Snapshot | undefined;
  let peakRss = 0;
  const sampleRss = (): void => {
    peakRss = Math.max(peakRss, sampleTree(rowPid).rss);
  };
  let sampler: NodeJS.Timeout | undefined;
  let result;
  try {
    result = await input.generator.run(input.spec, input.group, {
      open: (pid) => {
        before = snapshot(rowPid, upstreamPid, pid);
        sampler = setInterval(sampleRss, 250);
      },
      close: (pid) => {
        clearInterval(sampler);
        after = snapshot(rowPid, upstreamPid, pid);
        peakRss = Math.max(peakRss, after.row.rss);
      },
    });
  } finally {
    clearInterval(sampler);
  }
  if (!before || !after) throw new Error(`${input.generator.name} finished without a measurement window`);
  const wall = Number(after.at - before.at) / 1e9;
  const rowCpu = after.row.cpu - before.row.cpu;
  const upCpu = after.upstream.cpu - before.upstream.cpu;
  const genCpu = after.generatorCpu - before.generatorCpu;
  const ours = rowCpu + (sameAsUpstream ? 0 : upCpu) + genCpu + (after.runnerCpu - before.runnerCpu);
  const per1k = (s: number): number => (result.requests > 0 ? (s / result.requests) * 1000 : Number.NaN);
  return {
    rps: result.rps,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    requests: result.requests,
    durationS: result.durationS,
    cpuPer1k: per1k(rowCpu),
    upstreamCpuPer1k: per1k(upCpu),
    rssMb: peakRss / MB,
    proxyCoreUtil: rowCpu / wall,
    clientCoreUtil: (genCpu + upCpu) / wall,
    noiseCores: Math.max(0, after.cpu.busy - before.cpu.busy - ours) / wall,
    non2xx: result.non2xx,
    errors: result.errors,
    ...(result.errorDetail !== undefined ? { errorDetail: result.errorDetail } : {}),
  };
}

export interface QuietCheck {
  /** Foreign CPU in cores during the last sample. */
  readonly noiseCores: number;
  readonly waitedMs: number;
  readonly quiet: boolean;
}

/**
 * Samples /proc/stat for `sampleMs` and subtracts what the bench's own (idle) processes used; repeats
 * while the machine is busier than `limit` cores, for up to `waitMs`.
 */
export async function quietCheck(sampleMs: number, waitMs: number, limit: number, ownPids: readonly number[]): Promise<QuietCheck> {
  const start = Date.now();
  for (;;) {
    const t0 = process.hrtime.bigint();
    const c0 = readCpuTimes();
    const own0 = ownPids.reduce((s, p) => s + sampleTree(p).cpu, 0) + selfCpu().self;
    await sleep(sampleMs);
    const own1 = ownPids.reduce((s, p) => s + sampleTree(p).cpu, 0) + selfCpu().self;
    const c1 = readCpuTimes();
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const noiseCores = Math.max(0, c1.busy - c0.busy - (own1 - own0)) / wall;
    const waitedMs = Date.now() - start;
    if (noiseCores <= limit || waitedMs >= waitMs) return { noiseCores, waitedMs, quiet: noiseCores <= limit };
  }
}

/** MB from bytes, for idle RSS samples. */
export function rssMb(pid: number): number {
  return sampleTree(pid).rss / MB;
}
