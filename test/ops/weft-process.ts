// Test helpers that run `bin/weft.js` as a child process and read its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const WEFT_BIN = fileURLToPath(new URL('../../../bin/weft.js', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `weft ...args` to completion (killed after `timeoutMs`). */
export async function runWeft(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const child = spawn(process.execPath, [WEFT_BIN, ...args], { cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: string; pid?: number };

/**
 * A long-running `weft proxy` child. Its stderr is parsed as JSON log lines; `waitFor` resolves
 * with the first line (past or future) that matches.
 */
export class WeftProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private rawStderr = '';
  private waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  private partial = '';

  constructor(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(process.execPath, [WEFT_BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    this.child.stdout!.resume();
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (d: string) => this.onData(d));
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Everything written to stderr (JSON lines and plain text). */
  get stderr(): string {
    return this.rawStderr;
  }

  waitFor(match: (l: LogLine) => boolean, what = 'a matching log line'): Promise<LogLine> {
    const found = this.lines.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.waiters.push(waiter);
      void this.exited.then(({ code, signal }) => {
        if (this.waiters.includes(waiter)) reject(new Error(`weft exited (code ${code}, signal ${signal}) before ${what}:\n${this.rawStderr}`));
      });
    });
  }

  waitForMsg(msg: string): Promise<LogLine> {
    return this.waitFor((l) => l.msg === msg, `log "${msg}"`);
  }

  signal(sig: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(sig);
  }

  /** Ends the process if it still runs (SIGKILL) and waits for it. */
  async stop(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  private onData(d: string): void {
    this.rawStderr += d;
    const text = this.partial + d;
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    for (const raw of parts) {
      if (!raw.startsWith('{')) continue;
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        continue;
      }
      this.lines.push(line);
      for (const w of [...this.waiters]) {
        if (w.match(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  }
}
