// Runs a standalone proxy: config file, data plane(s), admin listener, reload, drain — one process or a primary with workers.
import { formatAddress, formatConfigError, type HostPort, type Snapshot } from '../../api/snapshot/index.js';
import { type Result, ok, err } from '../../lib/errors.js';
import type { Logging } from '../../lib/log.js';
import { AdminServer, type AdminState, type ServingState } from '../admin/admin-server.js';
import { FileConfigSource, type ReloadOutcome } from '../config/file-config-source.js';
import { loadConfigFile } from '../config/file-source.js';
import type { FileWatcherOptions } from '../config/file-watcher.js';
import { startDemoUpstream, type DemoUpstream } from '../demo/demo-upstream.js';
import { hostDataPlane, processRegistry, type DataPlaneFactory } from './data-plane-host.js';
import type { ProcessHooks } from './hooks.js';
import { PROCESS_HOOKS } from './builtin-hooks.js';
import { LocalTarget } from './local-target.js';
import type { ServingTarget } from './serving-target.js';
import { WorkerPool } from './worker-pool.js';
import type { BackoffOptions } from './backoff.js';
import { drainTimeout } from './drain-timeout.js';

export interface ProxyOptions {
  /** The config file as the user named it. */
  readonly configPath: string;
  /** Data-plane processes; 1 runs everything in this process. */
  readonly workers: number;
  /** Overrides the config's admin.address (then reloads never move the admin). */
  readonly admin?: HostPort;
  readonly logging: Logging;
  readonly demoUpstream?: boolean;
  readonly watch?: FileWatcherOptions | false;
  readonly hooks?: readonly ProcessHooks[];
  /** Creates this process's data plane (--workers 1). */
  readonly createDataPlane: DataPlaneFactory;
  /** The compiled worker entry (worker-main.js), for --workers 2 or more. */
  readonly workerExec: string;
  readonly backoff?: BackoffOptions;
}

export interface RunningProxy {
  readonly admin: HostPort;
  /** Resolves with the exit code once the proxy has stopped (0 after a complete drain). */
  readonly done: Promise<number>;
  reload(reason: string): Promise<ReloadOutcome>;
  /** Drains, then stops (resolves `done` with 0). A second call stops at once (`done` gets 1). */
  shutdown(reason: string): void;
}

/**
 * Starts the proxy. Resolves with the running proxy once every data plane serves the config, or
 * with the lines to print when it cannot start (invalid config, a port in use, …): then nothing
 * is left running.
 */
export async function startProxy(o: ProxyOptions): Promise<Result<RunningProxy, string[]>> {
  const log = o.logging.logger('proxy');
  const hooks = o.hooks ?? PROCESS_HOOKS;
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((e: Error) => log.warn({ err: e.message }, 'error while stopping'));
  };

  const loaded = await loadConfigFile(o.configPath);
  if (!loaded.ok) return err(loaded.error.map(formatConfigError));
  const initial = loaded.value.snapshot;

  let phase: 'starting' | 'serving' | 'draining' = 'starting';
  let target: ServingTarget | undefined;
  let source: FileConfigSource | undefined;
  const registry = processRegistry();

  const adminState: AdminState = {
    state: (): ServingState => (phase === 'draining' ? 'draining' : phase === 'serving' && target?.serving() ? 'serving' : 'starting'),
    snapshot: () => source?.current,
    metrics: async () => (target ? target.metrics() : { contentType: registry.contentType, body: await registry.metrics() }),
    logLevels: () => (target ? target.logLevels() : o.logging.levels()),
    setLogLevel: (c, l) => (target ? target.setLogLevel(c, l) : o.logging.setLevel(c, l)),
    listeners: () => target?.listeners() ?? {},
    workers: () => target?.workers() ?? [],
  };

  try {
    if (o.demoUpstream) {
      const demo: DemoUpstream = await startDemoUpstream(initial, o.logging.logger('demo'));
      cleanups.push(() => demo.close());
    }
    const admin = new AdminServer(adminState, o.logging.logger('admin'));
    const adminAddress = await admin.listen(o.admin ?? initial.admin.address);
    cleanups.push(() => admin.close());

    if (o.workers <= 1) {
      const hosted = await hostDataPlane({ logging: o.logging, workerId: 0, hooks, factory: o.createDataPlane, registry });
      target = new LocalTarget(hosted.dataPlane, hosted.registry, o.logging, () => hosted.close());
    } else {
      let env: Record<string, string> = {};
      for (const hook of hooks) {
        const r = await hook.onPrimaryStart?.({ logging: o.logging, workers: o.workers });
        if (r?.env) env = { ...env, ...r.env };
        if (r?.close) cleanups.push(r.close);
      }
      target = new WorkerPool({ count: o.workers, exec: o.workerExec, logging: o.logging, registry, env, ...(o.backoff ? { backoff: o.backoff } : {}) });
    }
    const serving = target;

    try {
      await serving.start(initial);
    } catch (e) {
      serving.kill();
      throw e;
    }

    let adminFrom = formatAddress(initial.admin.address);
    source = new FileConfigSource({ path: o.configPath, logger: o.logging.logger('config'), metrics: registry, watch: o.watch ?? {} });
    source.start(loaded.value, async (next: Snapshot) => {
      await serving.apply(next);
      const wanted = formatAddress(next.admin.address);
      if (o.admin === undefined && wanted !== adminFrom) {
        adminFrom = wanted;
        await admin.rebind(next.admin.address).catch((e: Error) => log.error({ err: e.message }, 'admin listener not moved'));
      }
    });
    phase = 'serving';
    log.info(
      { version: initial.version, config: o.configPath, workers: o.workers, admin: formatAddress(adminAddress), listeners: serving.listeners() },
      'weft serving',
    );

    let resolveDone!: (code: number) => void;
    const done = new Promise<number>((r) => (resolveDone = r));
    const liveSource = source;
    return ok({
      admin: adminAddress,
      done,
      reload: (reason) => liveSource.reload(reason),
      shutdown: (reason) => {
        if (phase === 'draining') {
          log.warn({ reason }, 'stopping now, without waiting for in-flight requests');
          serving.kill();
          resolveDone(1);
          return;
        }
        phase = 'draining';
        liveSource.close();
        const timeoutMs = drainTimeout(liveSource.current ?? initial);
        log.info({ reason, timeoutMs }, 'draining');
        void (async () => {
          try {
            await serving.drain(timeoutMs);
          } catch (e) {
            log.error({ err: (e as Error).message }, 'drain failed');
          }
          await cleanup();
          log.info('stopped');
          resolveDone(0);
        })();
      },
    });
  } catch (e) {
    source?.close();
    await cleanup();
    return err([(e as Error).message]);
  }
}
