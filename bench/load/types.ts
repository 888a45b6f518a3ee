// The load generator seam: wrk, h2load and the Node generator all take a LoadSpec and return a LoadResult.
import type { Protocol } from '../system/net.js';
import type { ProcessGroup } from '../system/processes.js';

export interface LoadSpec {
  readonly protocol: Protocol;
  readonly port: number;
  readonly path: string;
  /** Concurrent connections. */
  readonly connections: number;
  /** HTTP/2 streams in flight per connection (h2 only). */
  readonly streams: number;
  readonly durationS: number;
  /** Open-loop mode: requests per second at fixed intervals, latency counted from each request's scheduled start. */
  readonly rate?: number;
}

export interface LoadResult {
  /** Completed requests inside the measured duration. */
  readonly requests: number;
  readonly durationS: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Non-2xx answers. */
  readonly non2xx: number;
  /** Connect/read/write errors and timeouts. */
  readonly errors: number;
  /** Errors by kind when the generator tells them apart, e.g. "connect 0, read 46, write 0, timeout 0". */
  readonly errorDetail?: string;
}

/**
 * The counted part of a run. A generator calls `open` when it starts counting requests and `close`
 * when it stops, so that CPU and RSS are accounted over exactly the requests it reports. It passes
 * its own PID while it is alive; without one, its CPU is read from this process's reaped children.
 */
export interface MeasureWindow {
  open(generatorPid?: number): void;
  close(generatorPid?: number): void;
}

export interface LoadGenerator {
  /** "wrk", "h2load", "node". */
  readonly name: string;
  readonly version: string;
  /** The command line as the report shows it (e.g. "wrk -t1 -c50"). */
  describe(spec: LoadSpec): string;
  run(spec: LoadSpec, group: ProcessGroup, window: MeasureWindow): Promise<LoadResult>;
}

/** Which protocols and modes a generator serves. */
export interface GeneratorChoice {
  readonly h1: LoadGenerator;
  readonly h2: LoadGenerator;
  readonly fixedRate: LoadGenerator;
}
