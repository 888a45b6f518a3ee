// Structured JSON logging (pino) with one child logger per component, levels switchable at runtime.
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export type Logger = PinoLogger;

export interface LoggingOptions {
  /** Default level for every component (default: `WEFT_LOG_LEVEL` or `info`). */
  level?: LogLevel;
  /** Where lines go (default: stderr). Tests pass a stream to capture them. */
  destination?: DestinationStream;
  /** Fields on every line, e.g. `{ worker: 1 }`. */
  base?: Record<string, unknown>;
}

/**
 * The log sink of one process. `logger(component)` returns the component's logger; `setLevel`
 * changes a component's level (or every component's with `'*'`) at runtime, e.g. from the admin API.
 * An instance, not a module global, so tests do not leak levels into each other.
 */
export class Logging {
  readonly root: Logger;
  private readonly components = new Map<string, Logger>();
  private defaultLevel: LogLevel;

  constructor(options: LoggingOptions = {}) {
    const envLevel = process.env.WEFT_LOG_LEVEL as LogLevel | undefined;
    this.defaultLevel = options.level ?? (envLevel && LOG_LEVELS.includes(envLevel) ? envLevel : 'info');
    this.root = pino(
      {
        level: this.defaultLevel,
        base: { pid: process.pid, ...options.base },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      options.destination ?? pino.destination({ dest: 2, sync: true }),
    );
  }

  /** The logger of `component` (created once, then cached). Extra bindings make a further child. */
  logger(component: string, bindings?: Record<string, unknown>): Logger {
    let log = this.components.get(component);
    if (!log) {
      log = this.root.child({ component });
      log.level = this.defaultLevel;
      this.components.set(component, log);
    }
    return bindings ? log.child(bindings) : log;
  }

  /** Sets the level of one component, or of all (and the default for new ones) with `'*'`. */
  setLevel(component: string, level: LogLevel): void {
    if (component === '*') {
      this.defaultLevel = level;
      this.root.level = level;
      for (const log of this.components.values()) log.level = level;
      return;
    }
    this.logger(component).level = level;
  }

  levels(): Record<string, string> {
    const out: Record<string, string> = { '*': this.defaultLevel };
    for (const [name, log] of this.components) out[name] = log.level;
    return out;
  }
}
