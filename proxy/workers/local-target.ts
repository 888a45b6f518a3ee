// The serving target of a single-process proxy (--workers 1): one data plane in this process.
import type { Registry } from 'prom-client';
import { formatAddress, type Snapshot } from '../../api/snapshot/index.js';
import type { Logging, LogLevel } from '../../lib/log.js';
import type { WorkerStatus } from '../admin/admin-server.js';
import type { DataPlane } from '../data-plane.js';
import type { ServingTarget } from './serving-target.js';

export class LocalTarget implements ServingTarget {
  private started = false;

  constructor(
    private readonly dataPlane: DataPlane,
    private readonly registry: Registry,
    private readonly logging: Logging,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async start(snapshot: Snapshot): Promise<void> {
    await this.dataPlane.apply(snapshot);
    this.started = true;
  }

  async apply(snapshot: Snapshot): Promise<void> {
    await this.dataPlane.apply(snapshot);
  }

  serving(): boolean {
    return this.started && this.dataPlane.snapshot !== undefined && !this.dataPlane.draining;
  }

  listeners(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, a] of this.dataPlane.addresses()) out[name] = formatAddress(a);
    return out;
  }

  workers(): readonly WorkerStatus[] {
    const state = this.dataPlane.draining ? 'draining' : this.started ? 'serving' : 'starting';
    return [{ id: 0, pid: process.pid, state, version: this.dataPlane.snapshot?.version, restarts: 0 }];
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  setLogLevel(component: string, level: LogLevel): void {
    this.logging.setLevel(component, level);
  }

  logLevels(): Record<string, string> {
    return this.logging.levels();
  }

  async drain(timeoutMs: number): Promise<void> {
    try {
      await this.dataPlane.drain(timeoutMs);
    } finally {
      await this.dataPlane.close();
      await this.onClose();
    }
  }

  kill(): void {
    void this.dataPlane.close();
  }
}
