// Child processes of a bench run: spawned pinned to a core, tracked, and always stopped by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export type Core = 0 | 1;

/**
 * Where processes run. With taskset and two cores, the load generator and the upstream share core 0
 * and the proxy under test gets core 1; otherwise nothing is pinned and the report says so.
 */
export class Pinning {
  readonly enabled: boolean;
  readonly reason: string;

  private constructor(enabled: boolean, reason: string) {
    this.enabled = enabled;
    this.reason = reason;
  }

  static detect(disabled = false): Pinning {
    if (disabled) return new Pinning(false, 'pinning disabled by --no-pin');
    const probe = spawnSync('taskset', ['-c', '1', 'true'], { stdio: 'ignore' });
    if (probe.error) return new Pinning(false, 'taskset is not installed');
    if (probe.status !== 0) return new Pinning(false, 'core 1 is not available to this process (taskset -c 1 failed)');
    return new Pinning(true, 'load generator and upstream on core 0, proxy on core 1 (taskset)');
  }

  /** The command line that runs `cmd args` on `core` (unchanged when pinning is off). */
  wrap(core: Core, cmd: string, args: readonly string[]): [string, string[]] {
    return this.enabled ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, [...args]];
  }
}

export interface SpawnOptions {
  core: Core;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Name for error messages. */
  label: string;
}

/** A spawned process: stdout/stderr are kept (bounded) for error messages. */
export class Child {
  readonly proc: ChildProcess;
  readonly label: string;
  private out = '';
  private err = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(proc: ChildProcess, label: string) {
    this.proc = proc;
    this.label = label;
    const keep = (prev: string, chunk: Buffer): string => (prev + chunk.toString('utf8')).slice(-64 * 1024);
    proc.stdout?.on('data', (c: Buffer) => (this.out = keep(this.out, c)));
    proc.stderr?.on('data', (c: Buffer) => (this.err = keep(this.err, c)));
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      proc.once('error', (e) => {
        this.err += `\n${e.message}`;
        this.exitInfo = { code: -1, signal: null };
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }
  get stdout(): string {
    return this.out;
  }
  get stderr(): string {
    return this.err;
  }
  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Last lines of stderr (or stdout) for an error message. */
  tail(lines = 6): string {
    const text = (this.err.trim() || this.out.trim()).split('\n').slice(-lines).join('\n');
    return text.length > 0 ? text : '(no output)';
  }

  /** The first match of `re` in stdout, as soon as it arrives; rejects if the process exits first or on timeout. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = re.exec(this.out);
        if (m) finish(() => resolve(m));
        else if (this.exitInfo) finish(() => reject(new Error(`${this.label} exited (code ${this.exitInfo!.code}): ${this.tail()}`)));
        return m !== null;
      };
      const onData = (): void => void setImmediate(check);
      const onExit = (): void => void setImmediate(check);
      const timer = setTimeout(() => finish(() => reject(new Error(`${this.label} did not print ${re} within ${timeoutMs} ms: ${this.tail()}`))), timeoutMs);
      const finish = (then: () => void): void => {
        clearTimeout(timer);
        this.proc.stdout?.off('data', onData);
        this.proc.off('exit', onExit);
        then();
      };
      this.proc.stdout?.on('data', onData);
      this.proc.on('exit', onExit);
      check();
    });
  }
}

/** Tracks every child a run starts so that all of them are stopped, by PID, whatever happens. */
export class ProcessGroup {
  private readonly children = new Set<Child>();
  readonly pinning: Pinning;

  constructor(pinning: Pinning) {
    this.pinning = pinning;
  }

  spawn(cmd: string, args: readonly string[], opts: SpawnOptions): Child {
    const [c, a] = this.pinning.wrap(opts.core, cmd, args);
    const proc = spawn(c, a, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const child = new Child(proc, opts.label);
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  /** Runs a process to completion (a load generator) and returns it. */
  async run(cmd: string, args: readonly string[], opts: SpawnOptions & { timeoutMs: number }): Promise<Child> {
    const child = this.spawn(cmd, args, opts);
    const timer = setTimeout(() => void stop(child, 'SIGKILL'), opts.timeoutMs);
    await child.exited;
    clearTimeout(timer);
    return child;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children].map((c) => stop(c)));
  }

  /** Synchronous last resort on process exit: SIGKILL whatever is left. */
  killAllNow(): void {
    for (const c of this.children) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Stops one child by PID: `signal` first, SIGKILL after `graceMs`. */
export async function stop(child: Child, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (child.hasExited || child.pid < 0) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Output (stdout and stderr) of a short command such as a version probe, or undefined when it cannot
 * run. `anyStatus` accepts a non-zero exit (`wrk -v` exits 1 after printing its version).
 */
export function probe(cmd: string, args: readonly string[], anyStatus = false): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  if (r.error || (r.status !== 0 && !anyStatus)) return undefined;
  return `${r.stdout}${r.stderr}`.trim();
}

