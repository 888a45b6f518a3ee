// Entry of the config worker thread (config-worker.ts): runs the one task in workerData, posts the answer, and ends.
import { parentPort, workerData } from 'node:worker_threads';
import { redactSnapshot } from '../admin/redact.js';
import type { ConfigTask, ConfigTaskAnswer } from './config-worker.js';
import { loadConfigFile } from './file-source.js';

async function run(task: ConfigTask): Promise<unknown> {
  switch (task.kind) {
    case 'load':
      return loadConfigFile(task.path);
    case 'redact':
      return redactSnapshot(task.snapshot);
    default:
      throw new Error(`unknown config task ${JSON.stringify((task as { kind?: unknown }).kind)}`);
  }
}

let answer: ConfigTaskAnswer;
try {
  answer = { ok: true, value: await run(workerData as ConfigTask) };
} catch (e) {
  answer = { ok: false, message: (e as Error).message };
}
parentPort!.postMessage(answer);
