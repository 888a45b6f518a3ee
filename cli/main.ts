// The `weft` command line: finds the subcommand in the commands table, parses its flags, runs it.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { COMMANDS } from './commands.js';
import { UsageError, type CliIo, type Command } from './command.js';

const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

/** Runs `weft <argv…>` and resolves with the exit code (0 ok, 1 failure, 2 usage error). */
export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(overview());
    return 2;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(overview());
    return 0;
  }
  if (first === 'help') {
    if (rest.length === 0) {
      io.stdout.write(overview());
      return 0;
    }
    const cmd = find(rest[0]!);
    if (!cmd) return usageError(io, `unknown command '${rest[0]}'`, 'weft --help');
    io.stdout.write(commandHelp(cmd));
    return 0;
  }
  if (first === '--version') return run(['version'], io);
  if (first.startsWith('-')) return usageError(io, `unknown option '${first}'`, 'weft --help');
  const cmd = find(first);
  if (!cmd) return usageError(io, `unknown command '${first}'`, 'weft --help');

  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: parseOptions(cmd), allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    return usageError(io, describeParseError(e as Error), `weft help ${cmd.name}`, cmd.name);
  }
  if (parsed.values.help === true) {
    io.stdout.write(commandHelp(cmd));
    return 0;
  }
  const { min, max, name = 'argument' } = cmd.positionals;
  if (parsed.positionals.length < min) return usageError(io, `missing ${name}`, `weft help ${cmd.name}`, cmd.name);
  if (parsed.positionals.length > max) {
    return usageError(io, `unexpected argument '${parsed.positionals[max]}'`, `weft help ${cmd.name}`, cmd.name);
  }
  try {
    return await cmd.run({ values: parsed.values, positionals: parsed.positionals, io });
  } catch (e) {
    if (e instanceof UsageError) return usageError(io, e.message, `weft help ${cmd.name}`, cmd.name);
    throw e;
  }
}

function find(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

function parseOptions(cmd: Command): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(cmd.options)) out[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  return out;
}

function describeParseError(e: Error): string {
  // parseArgs messages are long and mention `--` escapes; keep the first sentence.
  const code = (e as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /Unknown option '([^']+)'/.exec(e.message);
    return `unknown option '${m?.[1] ?? '?'}'`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const m = /Option '(?:-\w, )?(--[\w-]+)/.exec(e.message);
    return m && e.message.includes('argument missing') ? `option '${m[1]}' needs a value` : e.message.split('\n')[0]!;
  }
  return e.message.split('\n')[0]!;
}

function usageError(io: CliIo, message: string, hint: string, command?: string): number {
  io.stderr.write(`weft${command ? ` ${command}` : ''}: ${message}\nRun '${hint}' for usage.\n`);
  return 2;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 'help'.length) + 2;
  const lines = [
    'Weft: a WebAssembly-extensible service-mesh proxy (proxy-wasm ABI v0.2.1).',
    '',
    'Usage: weft <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    `  ${'help'.padEnd(width)}Show help for a command: weft help <command>.`,
    '',
    "Run 'weft help <command>' (or 'weft <command> --help') for a command's options.",
    '',
  ];
  return lines.join('\n');
}

function commandHelp(cmd: Command): string {
  const lines = [`Usage: weft ${cmd.name}${cmd.usage ? ` ${cmd.usage}` : ''}`, '', cmd.summary];
  if (cmd.details) lines.push('', cmd.details);
  const opts = Object.entries(cmd.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return [flag, o.help] as const;
  });
  opts.push(['-h, --help', 'Show this help.']);
  const width = Math.max(...opts.map(([f]) => f.length)) + 2;
  lines.push('', 'Options:', ...opts.map(([f, h]) => `  ${f.padEnd(width)}${h}`), '');
  return lines.join('\n');
}
