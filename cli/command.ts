// The shape of one `weft` subcommand: its flags, positionals, help text and handler.
import { WeftError } from '../lib/errors.js';

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder shown in help, e.g. FILE. */
  readonly value?: string;
  readonly help: string;
}

export interface CommandContext {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  readonly io: CliIo;
}

export interface Command {
  readonly name: string;
  /** One line for `weft --help`. */
  readonly summary: string;
  /** Arguments after the name, e.g. "--config FILE [--workers N]". */
  readonly usage: string;
  /** Further paragraphs for `weft help NAME`. */
  readonly details?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals: { readonly min: number; readonly max: number; readonly name?: string };
  /** Loaded on use, so `weft --help` does not load the proxy. Resolves with the exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/** A bad flag value or a missing argument: the CLI prints it with a hint and exits 2. */
export class UsageError extends WeftError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}
