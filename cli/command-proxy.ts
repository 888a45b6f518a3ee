// `weft proxy`: checks the flags, then runs the standalone proxy until it is drained by a signal.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseAddress, type HostPort } from '../api/snapshot/index.js';
import { LOG_LEVELS, Logging, type LogLevel } from '../lib/log.js';
import { createProcessDataPlane } from '../proxy/workers/process-data-plane.js';
import { startProxy } from '../proxy/workers/run-proxy.js';
import { installSignalHandlers, type SignalActions } from '../proxy/workers/signals.js';
import { UsageError, type CommandContext } from './command.js';

const MAX_WORKERS = 256;

export async function proxy(ctx: CommandContext): Promise<number> {
  const { values, io } = ctx;
  const config = values.config;
  if (typeof config !== 'string' || config === '') throw new UsageError('--config FILE is required');
  const workers = parseWorkers(values.workers);
  const admin = parseAdmin(values.admin);
  const level = parseLevel(values['log-level']);

  const logging = new Logging(level ? { level } : {});
  // Signals that arrive while starting stop the start; afterwards they drain.
  let pending: NodeJS.Signals | undefined;
  let actions: SignalActions = {
    terminate: (s) => {
      pending = s;
    },
    forceExit: () => process.exit(1),
    reload: () => {},
  };
  const uninstall = installSignalHandlers({
    terminate: (s) => actions.terminate(s),
    forceExit: (s) => actions.forceExit(s),
    reload: () => actions.reload(),
  });
  try {
    const started = await startProxy({
      configPath: config,
      workers,
      ...(admin ? { admin } : {}),
      logging,
      demoUpstream: values['demo-upstream'] === true,
      ...(values['no-watch'] === true ? { watch: false as const } : {}),
      createDataPlane: createProcessDataPlane,
      workerExec: fileURLToPath(new URL('../proxy/workers/worker-main.js', import.meta.url)),
    });
    if (!started.ok) {
      for (const line of started.error) io.stderr.write(`weft proxy: ${line}\n`);
      return 1;
    }
    const running = started.value;
    actions = {
      terminate: (s) => running.shutdown(s),
      forceExit: (s) => running.shutdown(s),
      reload: () => void running.reload('SIGHUP'),
    };
    if (pending) running.shutdown(pending);
    return await running.done;
  } finally {
    uninstall();
  }
}

function parseWorkers(v: string | boolean | undefined): number {
  if (v === undefined) return 1;
  if (v === 'auto') return availableParallelism();
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= MAX_WORKERS)) throw new UsageError(`--workers must be a number from 1 to ${MAX_WORKERS}, or "auto" (got "${String(v)}")`);
  return n;
}

function parseAdmin(v: string | boolean | undefined): HostPort | undefined {
  if (v === undefined) return undefined;
  const a = typeof v === 'string' ? parseAddress(v) : undefined;
  if (!a) throw new UsageError(`--admin must be HOST:PORT, e.g. 127.0.0.1:9901 (got "${String(v)}")`);
  return a;
}

function parseLevel(v: string | boolean | undefined): LogLevel | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(LOG_LEVELS as readonly string[]).includes(v)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')} (got "${String(v)}")`);
  }
  return v as LogLevel;
}
