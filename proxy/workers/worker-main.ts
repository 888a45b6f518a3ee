// Entry of a worker process (--workers N): hosts one data plane and follows the primary's instructions over IPC.
import { Logging, LOG_LEVELS, type LogLevel } from '../../lib/log.js';
import type { Snapshot } from '../../api/snapshot/index.js';
import { formatAddress } from '../../api/snapshot/index.js';
import { deepFreeze } from '../config/deep-freeze.js';
import { drainTimeout } from './drain-timeout.js';
import { hostDataPlane, type HostedDataPlane } from './data-plane-host.js';
import { PROCESS_HOOKS } from './builtin-hooks.js';
import { isToWorker, WORKER_ENV, type FromWorker, type ToWorker } from './messages.js';
import { createProcessDataPlane } from './process-data-plane.js';

const workerId = Number(process.env[WORKER_ENV.id] ?? '0');
const logging = new Logging({ base: { worker: workerId } });
applyLevels(process.env[WORKER_ENV.levels]);
const log = logging.logger('worker');

function send(m: FromWorker): void {
  if (process.connected) process.send!(m);
}

let hosted: HostedDataPlane;
try {
  hosted = await hostDataPlane({ logging, workerId, hooks: PROCESS_HOOKS, factory: createProcessDataPlane });
} catch (e) {
  log.fatal({ err: (e as Error).message }, 'cannot start the data plane');
  send({ weft: 'failed', message: (e as Error).message });
  process.exit(1);
}
const { dataPlane, registry } = hosted;

let applying: Promise<void> = Promise.resolve();
let draining = false;

function onMessage(m: ToWorker): void {
  switch (m.weft) {
    case 'apply':
      applying = applying.then(() => apply(m.seq, deepFreeze(m.snapshot)));
      return;
    case 'drain':
      void drain(m.timeoutMs, 'primary');
      return;
    case 'log-level':
      logging.setLevel(m.component, m.level);
      return;
    case 'metrics':
      void registry.getMetricsAsJSON().then((metrics) => send({ weft: 'metrics', id: m.id, metrics }));
      return;
  }
}

async function apply(seq: number, snapshot: Snapshot): Promise<void> {
  if (draining) return;
  log.debug({ seq, version: snapshot.version }, 'applying snapshot');
  try {
    await dataPlane.apply(snapshot);
    const listeners: Record<string, string> = {};
    for (const [name, a] of dataPlane.addresses()) listeners[name] = formatAddress(a);
    send({ weft: 'applied', seq, version: snapshot.version ?? '', listeners });
  } catch (e) {
    const error = e as Error & { code?: string };
    send({ weft: 'apply-failed', seq, code: error.code ?? 'apply_failed', message: error.message });
  }
}

async function drain(timeoutMs: number, reason: string): Promise<void> {
  if (draining) return;
  draining = true;
  log.info({ reason, timeoutMs }, 'draining');
  try {
    await dataPlane.drain(timeoutMs);
    await dataPlane.close();
    await hosted.close();
  } catch (e) {
    log.error({ err: (e as Error).message }, 'drain failed');
  }
  process.exit(0);
}

function applyLevels(json: string | undefined): void {
  if (!json) return;
  try {
    const levels = JSON.parse(json) as Record<string, string>;
    const valid = (l: string | undefined): l is LogLevel => l !== undefined && (LOG_LEVELS as readonly string[]).includes(l);
    if (valid(levels['*'])) logging.setLevel('*', levels['*']);
    for (const [c, l] of Object.entries(levels)) if (c !== '*' && valid(l)) logging.setLevel(c, l);
  } catch {
    // A malformed value only loses the primary's runtime levels; the default level stands.
  }
}

process.on('message', (m: unknown) => {
  if (isToWorker(m)) onMessage(m);
});
// The primary coordinates: Ctrl-C reaches the whole process group, and the primary drains everyone.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
// A SIGTERM aimed at this worker alone drains it; the primary replaces it.
process.on('SIGTERM', () => void drain(drainTimeout(dataPlane.snapshot), 'SIGTERM'));
send({ weft: 'up' });

