// Runs config-time work (reading weft.yaml, rendering /config_dump) in a short-lived worker thread, so the YAML parser and the schema never live in the proxy's heap.
import { Worker } from 'node:worker_threads';
import type { ConfigError, Snapshot } from '../../api/snapshot/runtime.js';
import { WeftError, err, ok, type Result } from '../../lib/errors.js';
import { deepFreeze } from './deep-freeze.js';
import type { LoadedConfig } from './file-source.js';

/** What the worker thread is asked to do (config-worker-main.ts); the answer comes back by structured clone. */
export type ConfigTask = { readonly kind: 'load'; readonly path: string } | { readonly kind: 'redact'; readonly snapshot: Snapshot };

export type ConfigTaskAnswer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

const ENTRY = new URL('./config-worker-main.js', import.meta.url);

/**
 * `loadConfigFile(path)` in a worker thread: the same Snapshot (frozen again on this side) or the
 * same ConfigErrors. The thread, with yaml, TypeBox and everything they allocated, is gone when
 * this resolves. A thread that fails to start or dies is reported as a ConfigError on the file.
 */
export async function loadConfigInWorker(path: string): Promise<Result<LoadedConfig, ConfigError[]>> {
  let answer: Result<LoadedConfig, ConfigError[]>;
  try {
    answer = (await runConfigTask({ kind: 'load', path })) as Result<LoadedConfig, ConfigError[]>;
  } catch (e) {
    return err([{ file: path, path: '', message: `cannot load the config: ${(e as Error).message}` }]);
  }
  if (!answer.ok) return answer;
  return ok({ snapshot: deepFreeze(answer.value.snapshot), files: Object.freeze(answer.value.files) });
}

/** `redactSnapshot(snapshot)` (admin/redact.ts) in a worker thread: the JSON-ready /config_dump body. */
export function redactInWorker(snapshot: Snapshot): Promise<unknown> {
  return runConfigTask({ kind: 'redact', snapshot });
}

/** Runs one task in a fresh worker thread; rejects with a WeftError when the thread fails. */
export function runConfigTask(task: ConfigTask): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    let worker: Worker;
    try {
      worker = new Worker(ENTRY, { workerData: task });
    } catch (e) {
      reject(new WeftError('config_worker_failed', `cannot start the config worker: ${(e as Error).message}`, { cause: e }));
      return;
    }
    worker.once('message', (m: ConfigTaskAnswer) =>
      settle(() => (m.ok ? resolve(m.value) : reject(new WeftError('config_worker_failed', m.message)))),
    );
    worker.once('error', (e) => settle(() => reject(new WeftError('config_worker_failed', `the config worker failed: ${e.message}`, { cause: e }))));
    worker.once('exit', (code) => settle(() => reject(new WeftError('config_worker_failed', `the config worker exited (code ${code}) without an answer`))));
  });
}
