// Watches a set of files for changes: fs.watch on their folders, debounced, plus a low-frequency stat poll.
import { watch, statSync, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export interface FileWatcherOptions {
  /** Quiet time after the last event before `onChange` runs (editors write in bursts). Default 150 ms. */
  debounceMs?: number;
  /** Interval of the stat poll that catches what fs.watch misses (network file systems, some editors); 0 disables. Default 2000 ms. */
  pollMs?: number;
  /** Use fs.watch (default true); tests turn it off to prove the poll alone notices changes. */
  fsWatch?: boolean;
  /** A folder could not be watched (it may not exist); the poll still covers it. */
  onWatchError?: (dir: string, error: Error) => void;
}

/**
 * Calls `onChange` (debounced) when any watched file is written, replaced, created or removed.
 * Watching folders rather than files survives editors that save by writing a new file and renaming
 * it over the old one. A spurious call is possible (the caller's reload must be idempotent); a
 * missed change is not, within one poll interval.
 */
export class FileWatcher {
  private readonly debounceMs: number;
  private readonly useFsWatch: boolean;
  private readonly onWatchError: NonNullable<FileWatcherOptions['onWatchError']>;
  private readonly watchers = new Map<string, FSWatcher>();
  private names = new Map<string, Set<string>>();
  private signatures = new Map<string, string>();
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private polling = false;
  private firstEventAt: number | undefined;
  private closed = false;

  constructor(
    files: readonly string[],
    private readonly onChange: () => void,
    options: FileWatcherOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 150;
    this.useFsWatch = options.fsWatch ?? true;
    this.onWatchError = options.onWatchError ?? (() => {});
    this.setFiles(files);
    const pollMs = options.pollMs ?? 2000;
    if (pollMs > 0) {
      this.poll = setInterval(() => void this.pollOnce(), pollMs);
      this.poll.unref();
    }
  }

  /** Replaces the watched set (after a reload the config may reference other files). */
  setFiles(files: readonly string[]): void {
    if (this.closed) return;
    const names = new Map<string, Set<string>>();
    for (const f of files) {
      const dir = dirname(f);
      let set = names.get(dir);
      if (!set) names.set(dir, (set = new Set()));
      set.add(basename(f));
    }
    this.names = names;
    const signatures = new Map<string, string>();
    for (const f of files) signatures.set(f, this.signatures.get(f) ?? signatureSync(f));
    this.signatures = signatures;
    if (!this.useFsWatch) return;
    for (const [dir, w] of this.watchers) {
      if (!names.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of names.keys()) if (!this.watchers.has(dir)) this.watchDir(dir);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.debounce);
    clearInterval(this.poll);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private watchDir(dir: string): void {
    try {
      const w = watch(dir, { persistent: false }, (_event, filename) => {
        const names = this.names.get(dir);
        if (!names) return;
        if (filename === null || names.has(filename.toString())) this.trigger();
      });
      w.on('error', (e) => {
        w.close();
        this.watchers.delete(dir);
        this.onWatchError(dir, e);
      });
      this.watchers.set(dir, w);
    } catch (e) {
      this.onWatchError(dir, e as Error);
    }
  }

  private async pollOnce(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      for (const [file, before] of this.signatures) {
        const now = await signature(file);
        if (this.closed) return;
        if (now !== before && this.signatures.has(file)) {
          this.signatures.set(file, now);
          this.trigger();
        }
      }
    } finally {
      this.polling = false;
    }
  }

  private trigger(): void {
    if (this.closed) return;
    const now = Date.now();
    this.firstEventAt ??= now;
    clearTimeout(this.debounce);
    // A steady stream of events must not postpone the reload forever: wait at most 10 quiet periods.
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstEventAt + this.debounceMs * 10 - now));
    this.debounce = setTimeout(() => {
      this.firstEventAt = undefined;
      if (this.closed) return;
      // Re-baseline first: a write during the reload that follows is noticed again.
      for (const f of this.signatures.keys()) this.signatures.set(f, signatureSync(f));
      this.onChange();
    }, wait);
  }
}

function signatureOf(s: { ino: number; size: number; mtimeMs: number; ctimeMs: number }): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

function signatureSync(file: string): string {
  try {
    return signatureOf(statSync(file));
  } catch {
    return 'missing';
  }
}

async function signature(file: string): Promise<string> {
  try {
    return signatureOf(await stat(file));
  } catch {
    return 'missing';
  }
}
