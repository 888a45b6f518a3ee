// The standalone config source: loads weft.yaml, reloads it on change or on request, hands valid Snapshots on.
import type { Registry, Counter } from 'prom-client';
import { formatConfigError, type ConfigError, type Snapshot } from '../../api/snapshot/index.js';
import type { Result } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { loadConfigFile, type LoadedConfig, type LoadOptions } from './file-source.js';
import { FileWatcher, type FileWatcherOptions } from './file-watcher.js';
import { configAppliesCounter } from './config-metrics.js';

/** Applies a Snapshot; rejects (with a message saying why) when it could not be applied at all. */
export type ApplySnapshot = (snapshot: Snapshot) => Promise<void>;

export type ReloadOutcome =
  | { readonly result: 'applied'; readonly version: string; readonly previous: string | undefined }
  | { readonly result: 'unchanged'; readonly version: string }
  | { readonly result: 'rejected'; readonly errors: readonly string[] };

export interface FileConfigSourceOptions {
  /** The config file, as the user named it (error messages use this name). */
  path: string;
  logger: Logger;
  metrics: Registry;
  /** Watch the file and everything it references; false turns watching off (reload on request only). */
  watch?: FileWatcherOptions | false;
  load?: LoadOptions;
}

/**
 * Owns the live config of a standalone proxy. `load()` reads it once (startup: the caller decides
 * what to do with errors). After `start(apply)`, every change of the file or of a file it
 * references, and every `reload()`, re-reads it: an invalid file is logged with every error
 * (file, line, field) and rejected; a valid one with a new version goes to `apply`; if `apply`
 * rejects, that is logged and the previous Snapshot stays current. Reloads run one at a time;
 * requests during a reload coalesce into one more.
 */
export class FileConfigSource {
  private live: LoadedConfig | undefined;
  private apply: ApplySnapshot | undefined;
  private watcher: FileWatcher | undefined;
  private running: Promise<ReloadOutcome> | undefined;
  private queued: Promise<ReloadOutcome> | undefined;
  private readonly rejected: Counter<'result'>;
  private readonly log: Logger;

  constructor(private readonly options: FileConfigSourceOptions) {
    this.log = options.logger;
    this.rejected = configAppliesCounter(options.metrics);
  }

  /** The last Snapshot that was applied (undefined before the first). */
  get current(): Snapshot | undefined {
    return this.live?.snapshot;
  }

  /** Reads and validates the file without applying it. */
  load(): Promise<Result<LoadedConfig, ConfigError[]>> {
    return loadConfigFile(this.options.path, this.options.load);
  }

  /**
   * Marks `initial` (from `load()`, already applied by the caller) as live and starts watching.
   * From now on valid changes go to `apply`.
   */
  start(initial: LoadedConfig, apply: ApplySnapshot): void {
    this.live = initial;
    this.apply = apply;
    if (this.options.watch !== false) {
      this.watcher = new FileWatcher(initial.files, () => void this.reload('file changed'), {
        ...this.options.watch,
        onWatchError: (dir, e) => this.log.warn({ dir, err: e.message }, 'cannot watch folder; relying on the poll'),
      });
    }
  }

  /** Re-reads the file now (SIGHUP, admin, tests). Resolves when this reload (or the one it joined) is done. */
  reload(reason: string): Promise<ReloadOutcome> {
    if (!this.running) {
      this.running = this.reloadOnce(reason).finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.reload(reason);
    });
    return this.queued;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.apply = undefined;
  }

  private async reloadOnce(reason: string): Promise<ReloadOutcome> {
    const apply = this.apply;
    if (!apply) return { result: 'rejected', errors: ['the config source is not started'] };
    const previous = this.live?.snapshot.version;
    const loaded = await this.load();
    if (!loaded.ok) {
      const errors = loaded.error.map(formatConfigError);
      this.rejected.inc({ result: 'rejected' });
      this.log.error({ reason, file: this.options.path, errors, keeping: previous }, `config rejected: ${errors[0]}`);
      return { result: 'rejected', errors };
    }
    const next = loaded.value;
    this.watcher?.setFiles(next.files);
    const version = next.snapshot.version!;
    if (version === previous) {
      this.log.debug({ reason, version }, 'config unchanged');
      return { result: 'unchanged', version };
    }
    try {
      await apply(next.snapshot);
    } catch (e) {
      const message = (e as Error).message;
      this.log.error({ reason, file: this.options.path, version, keeping: previous, err: message }, `config not applied: ${message}`);
      return { result: 'rejected', errors: [message] };
    }
    if (this.apply === apply) this.live = next;
    this.log.info({ reason, version, previous }, 'config applied');
    return { result: 'applied', version, previous };
  }
}
