// The primary's side of --workers N: forks data-plane processes, keeps them on the live Snapshot, restarts crashes.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import type { Snapshot } from '../../api/snapshot/index.js';
import { WeftError } from '../../lib/errors.js';
import type { Logger, Logging, LogLevel } from '../../lib/log.js';
import type { WorkerStatus } from '../admin/admin-server.js';
import { nextFailureCount, restartDelay, type BackoffOptions } from './backoff.js';
import { isFromWorker, WORKER_ENV, type FromWorker, type ToWorker } from './messages.js';
import type { ServingTarget } from './serving-target.js';

export interface WorkerPoolOptions {
  count: number;
  /** The compiled worker entry (worker-main.js). */
  exec: string;
  logging: Logging;
  /** The primary's own registry (restarts, rejected files); aggregated with the workers'. */
  registry: Registry;
  /** Extra environment for every worker (from process hooks). */
  env?: Readonly<Record<string, string>>;
  backoff?: BackoffOptions;
  /** How long /stats/prometheus waits for a worker's metrics before leaving it out. Default 3 s. */
  metricsTimeoutMs?: number;
}

type ApplyReply = { ok: true; version: string } | { ok: false; message: string } | { ok: false; exited: true };

interface Slot {
  readonly id: number;
  worker: Worker | undefined;
  pid: number | undefined;
  state: WorkerStatus['state'];
  /** The Snapshot version this worker serves. */
  version: string | undefined;
  /** The version last sent to it (so it is sent each version once). */
  sent: string | undefined;
  restarts: number;
  failures: number;
  startedAt: number;
  everServed: boolean;
  restartTimer: NodeJS.Timeout | undefined;
  listeners: Record<string, string>;
  readonly pending: Map<number, (reply: ApplyReply) => void>;
  readonly metricsWaiters: Map<number, (m: MetricObjectWithValues<MetricValue<string>>[] | undefined) => void>;
  exited: Promise<void>;
}

/**
 * N worker processes serving the same listeners (node:cluster shares the listening sockets).
 * Each worker runs its own data plane; the primary sends it every Snapshot over IPC. A worker that
 * exits unexpectedly is replaced after a backoff (logged, counted). With `drain`, workers drain
 * themselves and exit; the pool resolves when the last one is gone.
 */
export class WorkerPool implements ServingTarget {
  private readonly slots: Slot[] = [];
  private readonly log: Logger;
  private current: Snapshot | undefined;
  private seq = 0;
  private metricsSeq = 0;
  private stopping = false;
  private initialStart: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private readonly restartsTotal: Counter<'worker'>;

  constructor(private readonly options: WorkerPoolOptions) {
    this.log = options.logging.logger('workers');
    this.restartsTotal = new Counter({
      name: 'weft_worker_restarts_total',
      help: 'Worker processes restarted after an unexpected exit.',
      labelNames: ['worker'],
      registers: [options.registry],
    });
    const slots = this.slots;
    new Gauge({
      name: 'weft_workers',
      help: 'Worker processes by state.',
      labelNames: ['state'],
      registers: [options.registry],
      collect() {
        for (const state of ['starting', 'serving', 'draining', 'exited'] as const) {
          this.set({ state }, slots.filter((s) => s.state === state).length);
        }
      },
    });
    cluster.setupPrimary({ exec: options.exec, args: [], serialization: 'advanced' });
  }

  start(snapshot: Snapshot): Promise<void> {
    this.current = snapshot;
    return new Promise<void>((resolve, reject) => {
      this.initialStart = { resolve, reject };
      for (let id = 1; id <= this.options.count; id++) {
        const slot: Slot = {
          id,
          worker: undefined,
          pid: undefined,
          state: 'starting',
          version: undefined,
          sent: undefined,
          restarts: 0,
          failures: 0,
          startedAt: 0,
          everServed: false,
          restartTimer: undefined,
          listeners: {},
          pending: new Map(),
          metricsWaiters: new Map(),
          exited: Promise.resolve(),
        };
        this.slots.push(slot);
        this.fork(slot);
      }
    });
  }

  async apply(snapshot: Snapshot): Promise<void> {
    const targets = this.slots.filter((s) => s.state === 'serving' && s.worker);
    const replies = await Promise.all(targets.map((s) => this.send(s, snapshot)));
    const applied = replies.filter((r) => r.ok).length;
    const failed = targets.flatMap((s, i) => {
      const r = replies[i]!;
      return !r.ok && !('exited' in r) ? [{ worker: s.id, pid: s.pid, message: r.message }] : [];
    });
    if (applied === 0 && failed.length > 0) {
      throw new WeftError('apply_rejected', `no worker could apply it: ${failed[0]!.message}`);
    }
    if (failed.length > 0) {
      for (const f of failed) {
        this.log.error({ worker: f.worker, pid: f.pid, version: snapshot.version, err: f.message }, 'worker kept its previous config: apply failed');
      }
    }
    this.current = snapshot;
    // Workers that were (re)starting meanwhile pick up the new Snapshot now.
    for (const s of this.slots) if (s.state === 'serving' && s.sent !== snapshot.version) void this.sync(s);
  }

  serving(): boolean {
    return this.initialStart === undefined && !this.stopping && this.slots.some((s) => s.state === 'serving');
  }

  listeners(): Record<string, string> {
    return this.slots.find((s) => s.state === 'serving')?.listeners ?? {};
  }

  workers(): readonly WorkerStatus[] {
    return this.slots.map((s) => ({ id: s.id, pid: s.pid, state: s.state, version: s.version, restarts: s.restarts }));
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    const id = ++this.metricsSeq;
    const timeoutMs = this.options.metricsTimeoutMs ?? 3000;
    const fromWorkers = this.slots
      .filter((s) => s.worker?.isConnected() && s.state !== 'exited')
      .map(
        (s) =>
          new Promise<MetricObjectWithValues<MetricValue<string>>[] | undefined>((resolve) => {
            const timer = setTimeout(() => {
              s.metricsWaiters.delete(id);
              this.log.warn({ worker: s.id, pid: s.pid }, 'worker did not send its metrics in time; left out');
              resolve(undefined);
            }, timeoutMs);
            s.metricsWaiters.set(id, (m) => {
              clearTimeout(timer);
              s.metricsWaiters.delete(id);
              resolve(m);
            });
            this.post(s, { weft: 'metrics', id });
          }),
      );
    const all = [await this.options.registry.getMetricsAsJSON(), ...(await Promise.all(fromWorkers)).filter((m) => m !== undefined)];
    const aggregated = AggregatorRegistry.aggregate(all);
    return { contentType: aggregated.contentType, body: await aggregated.metrics() };
  }

  setLogLevel(component: string, level: LogLevel): void {
    this.options.logging.setLevel(component, level);
    for (const s of this.slots) if (s.worker?.isConnected()) this.post(s, { weft: 'log-level', component, level });
  }

  logLevels(): Record<string, string> {
    return this.options.logging.levels();
  }

  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true;
    const live = this.slots.filter((s) => s.worker && s.state !== 'exited');
    for (const s of this.slots) clearTimeout(s.restartTimer);
    for (const s of live) {
      s.state = 'draining';
      this.post(s, { weft: 'drain', timeoutMs });
    }
    // Workers bound their own drain by timeoutMs; this only catches one that hangs.
    const guard = setTimeout(() => {
      for (const s of live) {
        if (s.worker && !s.worker.isDead()) {
          this.log.error({ worker: s.id, pid: s.pid }, 'worker did not finish draining; killing it');
          s.worker.process.kill('SIGKILL');
        }
      }
    }, timeoutMs + 5000);
    await Promise.all(live.map((s) => s.exited));
    clearTimeout(guard);
  }

  kill(): void {
    this.stopping = true;
    for (const s of this.slots) {
      clearTimeout(s.restartTimer);
      if (s.worker && !s.worker.isDead()) s.worker.process.kill('SIGKILL');
    }
  }

  private fork(slot: Slot): void {
    slot.restartTimer = undefined;
    slot.state = 'starting';
    slot.version = undefined;
    slot.sent = undefined;
    slot.listeners = {};
    slot.startedAt = Date.now();
    const worker = cluster.fork({
      ...this.options.env,
      [WORKER_ENV.id]: String(slot.id),
      [WORKER_ENV.levels]: JSON.stringify(this.options.logging.levels()),
    });
    slot.worker = worker;
    slot.pid = worker.process.pid;
    // Gone means exited AND disconnected: node:cluster stops handing connections to a worker on
    // 'disconnect', which may come after 'exit'.
    const gone = new Promise<[number | null, string | null]>((resolve) => {
      worker.once('exit', (code: number | null, signal: string | null) => {
        if (!worker.isConnected()) resolve([code, signal]);
        else worker.once('disconnect', () => resolve([code, signal]));
      });
    });
    slot.exited = gone.then(() => {});
    worker.on('message', (m: unknown) => {
      if (slot.worker === worker && isFromWorker(m)) this.onMessage(slot, m);
    });
    void gone.then(([code, signal]) => this.onExit(slot, worker, code, signal));
    worker.on('error', (e) => this.log.warn({ worker: slot.id, pid: slot.pid, err: e.message }, 'worker channel error'));
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    switch (m.weft) {
      case 'up':
        void this.sync(slot);
        return;
      case 'applied':
        slot.version = m.version;
        slot.listeners = m.listeners;
        slot.pending.get(m.seq)?.({ ok: true, version: m.version });
        return;
      case 'apply-failed':
        slot.pending.get(m.seq)?.({ ok: false, message: m.message });
        return;
      case 'metrics':
        slot.metricsWaiters.get(m.id)?.(m.metrics);
        return;
      case 'failed':
        this.log.error({ worker: slot.id, pid: slot.pid, err: m.message }, 'worker could not start');
        return;
    }
  }

  /** Brings a worker that is up (or serving an older version) to the current Snapshot. */
  private async sync(slot: Slot): Promise<void> {
    const snapshot = this.current;
    if (!snapshot || !slot.worker || this.stopping) return;
    const reply = await this.send(slot, snapshot);
    if (reply.ok) {
      if (slot.state === 'starting') {
        slot.state = 'serving';
        slot.everServed = true;
        this.log.info({ worker: slot.id, pid: slot.pid, version: reply.version }, 'worker serving');
        this.checkStarted();
      }
      if (this.current !== snapshot && !this.stopping) void this.sync(slot);
      return;
    }
    if ('exited' in reply) return;
    if (slot.state === 'starting') {
      this.log.error({ worker: slot.id, pid: slot.pid, version: snapshot.version, err: reply.message }, 'worker could not apply the config');
      if (this.initialStart) {
        this.failStart(new WeftError('apply_rejected', reply.message));
        return;
      }
      // A replacement that cannot serve: stop it and try again later (onExit schedules it).
      slot.worker.process.kill('SIGKILL');
    } else {
      this.log.error({ worker: slot.id, pid: slot.pid, version: snapshot.version, err: reply.message }, 'worker kept its previous config: apply failed');
    }
  }

  private send(slot: Slot, snapshot: Snapshot): Promise<ApplyReply> {
    const seq = ++this.seq;
    slot.sent = snapshot.version;
    return new Promise<ApplyReply>((resolve) => {
      slot.pending.set(seq, (r) => {
        slot.pending.delete(seq);
        resolve(r);
      });
      if (!this.post(slot, { weft: 'apply', seq, snapshot })) slot.pending.get(seq)?.({ ok: false, exited: true });
    });
  }

  private post(slot: Slot, message: ToWorker): boolean {
    const w = slot.worker;
    if (!w || !w.isConnected()) return false;
    try {
      w.send(message);
      return true;
    } catch {
      return false;
    }
  }

  private onExit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    slot.state = 'exited';
    for (const resolve of [...slot.pending.values()]) resolve({ ok: false, exited: true });
    for (const resolve of [...slot.metricsWaiters.values()]) resolve(undefined);
    if (this.stopping) {
      this.log.info({ worker: slot.id, pid: slot.pid, code, signal }, 'worker exited');
      return;
    }
    if (this.initialStart) {
      this.failStart(new WeftError('worker_exited', `worker ${slot.id} exited while starting (code ${code}, signal ${signal})`));
      return;
    }
    slot.failures = nextFailureCount(slot.failures, Date.now() - slot.startedAt, this.options.backoff);
    const delay = restartDelay(Math.max(0, slot.failures - 1), this.options.backoff);
    slot.restarts++;
    this.restartsTotal.inc({ worker: String(slot.id) });
    this.log.error({ worker: slot.id, pid: slot.pid, code, signal, restartInMs: delay }, 'worker exited unexpectedly; restarting it');
    slot.restartTimer = setTimeout(() => {
      if (!this.stopping) this.fork(slot);
    }, delay);
  }

  private checkStarted(): void {
    if (this.initialStart && this.slots.every((s) => s.state === 'serving')) {
      const { resolve } = this.initialStart;
      this.initialStart = undefined;
      resolve();
    }
  }

  private failStart(e: Error): void {
    const start = this.initialStart;
    if (!start) return;
    this.initialStart = undefined;
    this.kill();
    start.reject(e);
  }
}
