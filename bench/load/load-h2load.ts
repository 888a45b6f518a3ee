// h2load (closed loop, HTTP/2 cleartext with prior knowledge): rates from its summary, percentiles from its per-request log.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { probe, type ProcessGroup } from '../system/processes.js';
import { percentile } from '../stats.js';
import type { LoadGenerator, LoadResult, LoadSpec, MeasureWindow } from './types.js';

export interface H2loadSummary {
  durationS: number;
  rps: number;
  done: number;
  succeeded: number;
  failed: number;
  errored: number;
  timeout: number;
  non2xx: number;
}

/** The summary lines of h2load's stdout. */
export function parseH2loadOutput(stdout: string): H2loadSummary {
  const fin = /finished in ([\d.]+)(ms|s), ([\d.]+) req\/s/.exec(stdout);
  const req = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(stdout);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
  if (!fin || !req || !codes) throw new Error(`h2load printed no summary: ${stdout.trim().split('\n').slice(-3).join(' | ')}`);
  return {
    durationS: Number(fin[1]) / (fin[2] === 'ms' ? 1000 : 1),
    rps: Number(fin[3]),
    done: Number(req[3]),
    succeeded: Number(req[4]),
    failed: Number(req[5]),
    errored: Number(req[6]),
    timeout: Number(req[7]),
    non2xx: Number(codes[2]) + Number(codes[3]) + Number(codes[4]),
  };
}

/** Latencies in microseconds of the successful requests in an h2load --log-file (start, status, duration). */
export function parseH2loadLog(text: string): Float64Array {
  const out = new Float64Array(text.length / 20 + 1);
  let n = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const t1 = text.indexOf('\t', start);
    const t2 = t1 < 0 ? -1 : text.indexOf('\t', t1 + 1);
    if (t2 > 0 && t2 < end && text.charCodeAt(t1 + 1) === 50 /* 2xx */) {
      out[n++] = Number(text.slice(t2 + 1, end));
    }
    start = end + 1;
  }
  return out.subarray(0, n).sort();
}

/** h2load's version ("1.52.0"), or undefined when it is not installed. */
export function h2loadVersion(): string | undefined {
  const out = probe('h2load', ['--version']);
  return out ? (/nghttp2\/(\S+)/.exec(out)?.[1] ?? 'unknown') : undefined;
}

export function createH2load(version: string, dir: string): LoadGenerator {
  let runs = 0;
  return {
    name: 'h2load',
    version,
    describe: (spec) => `h2load -t1 -c${spec.connections} -m${spec.streams}`,
    async run(spec: LoadSpec, group: ProcessGroup, window: MeasureWindow): Promise<LoadResult> {
      if (spec.protocol !== 'h2' || spec.rate !== undefined) throw new Error('h2load drives closed-loop HTTP/2 only here');
      // h2load appends to an existing log file: one fresh file per run.
      const log = join(dir, `h2load-${process.pid}-${runs++}.log`);
      rmSync(log, { force: true });
      const args = ['-t1', `-c${spec.connections}`, `-m${spec.streams}`, '-D', String(spec.durationS), `--log-file=${log}`, `http://127.0.0.1:${spec.port}${spec.path}`];
      window.open();
      const child = await group.run('h2load', args, { core: 0, label: 'h2load', timeoutMs: (spec.durationS + 20) * 1000 });
      window.close();
      const s = parseH2loadOutput(child.stdout);
      let lat: Float64Array;
      try {
        lat = parseH2loadLog(readFileSync(log, 'latin1'));
      } finally {
        rmSync(log, { force: true });
      }
      return {
        requests: s.done,
        durationS: s.durationS,
        rps: s.rps,
        p50Ms: percentile(lat, 50) / 1000,
        p99Ms: percentile(lat, 99) / 1000,
        non2xx: s.non2xx,
        errors: s.errored + s.timeout,
        errorDetail: `errored ${s.errored}, timeout ${s.timeout}`,
      };
    },
  };
}
