// wrk (closed loop, HTTP/1.1): percentiles come exact from a Lua `done` hook, which keeps wrk on its fast path.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probe, type ProcessGroup } from '../system/processes.js';
import type { LoadGenerator, LoadResult, LoadSpec, MeasureWindow } from './types.js';

const MARK = 'WEFT_BENCH_RESULT ';

// Only `done` is defined: wrk then builds one static request and never enters Lua per request.
const SCRIPT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%.1f,"p99_us":%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50.0), latency:percentile(99.0)))
end
`;

interface WrkSummary {
  requests: number;
  duration_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50_us: number;
  p99_us: number;
}

/** The result line the Lua hook prints, from wrk's stdout. */
export function parseWrkOutput(stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`wrk printed no result: ${stdout.trim().split('\n').slice(-3).join(' | ')}`);
  const s = JSON.parse(line.slice(MARK.length)) as WrkSummary;
  const durationS = s.duration_us / 1e6;
  return {
    requests: s.requests,
    durationS,
    rps: durationS > 0 ? s.requests / durationS : 0,
    p50Ms: s.p50_us / 1000,
    p99Ms: s.p99_us / 1000,
    non2xx: s.status,
    errors: s.connect + s.read + s.write + s.timeout,
    errorDetail: `connect ${s.connect}, read ${s.read}, write ${s.write}, timeout ${s.timeout}`,
  };
}

/** wrk's version, or undefined when wrk is not installed. */
export function wrkVersion(): string | undefined {
  const out = probe('wrk', ['-v'], true);
  return out ? (/^wrk (\S+)/m.exec(out)?.[1] ?? 'unknown') : undefined;
}

export function createWrk(version: string, dir: string): LoadGenerator {
  const script = join(dir, 'wrk-result.lua');
  writeFileSync(script, SCRIPT);
  return {
    name: 'wrk',
    version,
    describe: (spec) => `wrk -t1 -c${spec.connections}`,
    async run(spec: LoadSpec, group: ProcessGroup, window: MeasureWindow): Promise<LoadResult> {
      if (spec.protocol !== 'h1' || spec.rate !== undefined) throw new Error('wrk drives closed-loop HTTP/1.1 only');
      const args = ['-t1', `-c${spec.connections}`, `-d${spec.durationS}s`, '--timeout', '5s', '-s', script, `http://127.0.0.1:${spec.port}${spec.path}`];
      window.open();
      const child = await group.run('wrk', args, { core: 0, label: 'wrk', timeoutMs: (spec.durationS + 20) * 1000 });
      window.close();
      return parseWrkOutput(child.stdout);
    },
  };
}
