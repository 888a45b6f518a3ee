// PluginSpec: one plugin's settings as the host uses them, made from the Snapshot's plugin entry.
import type { PluginConfig } from '../../api/snapshot/index.js';

export type FailStrategy = 'closed' | 'open' | 'reload';

/** Everything about a plugin except its module bytes. Immutable. */
export interface PluginSpec {
  readonly name: string;
  readonly rootId: string;
  readonly vmId: string;
  /** PLUGIN_CONFIGURATION bytes. */
  readonly configuration: Uint8Array;
  /** VM_CONFIGURATION bytes. */
  readonly vmConfiguration: Uint8Array;
  /** Variables the module sees through WASI environ_get (allowlisted host variables, then `set`). */
  readonly env: ReadonlyMap<string, string>;
  readonly failStrategy: FailStrategy;
  readonly singleton: boolean;
  readonly memoryBytes: number;
  /** CPU time one callback may take, in ms; 0 disables metering. */
  readonly callbackCpuMs: number;
  readonly maxBufferBytes?: number;
}

/** Configuration values: a string is passed as is, anything else as JSON; absent is empty. */
export function configBytes(value: unknown): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Builds the spec of a Snapshot plugin; `hostEnv` is where allowlisted variables are read from. */
export function pluginSpecFromConfig(p: PluginConfig, hostEnv: NodeJS.ProcessEnv = process.env): PluginSpec {
  const env = new Map<string, string>();
  for (const name of p.environment?.allow ?? []) {
    const v = hostEnv[name];
    if (v !== undefined) env.set(name, v);
  }
  for (const [k, v] of Object.entries(p.environment?.set ?? {})) env.set(k, v);
  return {
    name: p.name,
    rootId: p.root_id,
    vmId: p.vm_id,
    configuration: configBytes(p.configuration),
    vmConfiguration: configBytes(p.vm_configuration),
    env,
    failStrategy: p.fail_strategy,
    singleton: p.singleton,
    memoryBytes: p.limits.memory,
    callbackCpuMs: p.limits.callback_cpu,
    ...(p.limits.max_buffer_bytes !== undefined ? { maxBufferBytes: p.limits.max_buffer_bytes } : {}),
  };
}
