// The worker's side of cross-worker shared data: synchronous calls to the primary through a helper thread.
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Status } from './abi.js';
import { InProcessSharedData, type QueueListener, type SharedDataStore } from './shared-data.js';
import type { SharedDataRequest } from './shared-data-server.js';

/** Environment variable naming the primary's shared-data socket; set by the primary for its workers. */
export const SHARED_DATA_SOCKET_ENV = 'WEFT_SHARED_DATA_SOCKET';

/** How long a call waits for the primary before answering InternalFailure-like defaults. */
const TIMEOUT_MS = 5000;


/**
 * A SharedDataStore backed by the primary's server. Each call posts the request to a helper
 * thread and blocks on Atomics.wait until the helper has the answer (the ABI is synchronous; the
 * primary serializes all operations). Queue-ready notifications arrive asynchronously on this
 * thread's event loop.
 */
export class CrossWorkerSharedData implements SharedDataStore {
  private readonly worker: Worker;
  private readonly requests: MessagePort;
  private readonly replies: MessagePort;
  private readonly notifications: MessagePort;
  private readonly flag = new SharedArrayBuffer(4);
  private readonly signal = new Int32Array(this.flag);
  private nextId = 1;
  private nextListener = 1;
  private readonly listeners = new Map<number, QueueListener>();
  private readonly listenerIds = new Map<QueueListener, number>();

  /** Starts the helper thread and waits until it is connected to the primary (calls block on it afterwards). */
  static async connect(socketPath: string): Promise<CrossWorkerSharedData> {
    const store = new CrossWorkerSharedData(socketPath);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean; error?: string }) => {
        if (m.ready) resolve();
        else if (m.error) reject(new Error(`shared data: cannot reach the primary at ${socketPath}: ${m.error}`));
      };
      store.replies.once('message', onMessage);
      store.worker.once('error', reject);
    });
    store.replies.removeAllListeners('message');
    store.replies.unref();
    return store;
  }

  private constructor(socketPath: string) {
    const req = new MessageChannel();
    const rep = new MessageChannel();
    const note = new MessageChannel();
    this.requests = req.port1;
    this.replies = rep.port1;
    this.notifications = note.port1;
    this.worker = new Worker(new URL('./shared-data-helper.js', import.meta.url), {
      execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
      workerData: { path: socketPath, requests: req.port2, replies: rep.port2, notifications: note.port2, flag: this.flag },
      transferList: [req.port2, rep.port2, note.port2],
    });
    this.worker.unref();
    this.notifications.on('message', (m: { notify: number; token: number }) => this.listeners.get(m.notify)?.(m.token));
    this.notifications.unref();
  }

  private call(r: Omit<SharedDataRequest, 'id'>): Record<string, unknown> {
    const id = this.nextId++;
    Atomics.store(this.signal, 0, 0);
    this.requests.postMessage({ ...r, id });
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const m = receiveMessageOnPort(this.replies);
      if (m) {
        const msg = m.message as Record<string, unknown>;
        if (msg.error !== undefined) throw new Error(`shared data: ${String(msg.error)}`);
        if (msg.id === id) return msg;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('shared data: the primary did not answer in time');
      Atomics.wait(this.signal, 0, 0, left);
      Atomics.store(this.signal, 0, 0);
    }
  }

  get(vmId: string, key: string): { value: Uint8Array; cas: number } | undefined {
    const r = this.call({ op: 'get', vmId, key });
    return r.value === undefined ? undefined : { value: Buffer.from(r.value as string, 'base64'), cas: r.cas as number };
  }

  set(vmId: string, key: string, value: Uint8Array, cas: number): typeof Status.Ok | typeof Status.CasMismatch {
    return this.call({ op: 'set', vmId, key, value: Buffer.from(value).toString('base64'), cas }).status as typeof Status.Ok | typeof Status.CasMismatch;
  }

  registerQueue(vmId: string, name: string, listener: QueueListener): number {
    let lid = this.listenerIds.get(listener);
    if (lid === undefined) {
      lid = this.nextListener++;
      this.listenerIds.set(listener, lid);
      this.listeners.set(lid, listener);
    }
    return this.call({ op: 'register', vmId, name, listener: lid }).token as number;
  }

  resolveQueue(vmId: string, name: string): number {
    return this.call({ op: 'resolve', vmId, name }).token as number;
  }

  enqueue(token: number, value: Uint8Array): typeof Status.Ok | typeof Status.NotFound {
    return this.call({ op: 'enqueue', token, value: Buffer.from(value).toString('base64') }).status as typeof Status.Ok | typeof Status.NotFound;
  }

  dequeue(token: number): Uint8Array | typeof Status.NotFound | typeof Status.Empty {
    const r = this.call({ op: 'dequeue', token });
    return r.value !== undefined ? Buffer.from(r.value as string, 'base64') : (r.status as typeof Status.NotFound | typeof Status.Empty);
  }

  unregisterListener(listener: QueueListener): void {
    const lid = this.listenerIds.get(listener);
    if (lid === undefined) return;
    this.listenerIds.delete(listener);
    this.listeners.delete(lid);
    this.call({ op: 'unregister', listener: lid });
  }

  close(): void {
    this.notifications.close();
    void this.worker.terminate();
  }
}

/** The store a worker should use: the primary's (WEFT_SHARED_DATA_SOCKET set) or an in-process one. */
export async function sharedDataFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<SharedDataStore> {
  const path = env[SHARED_DATA_SOCKET_ENV];
  return path ? CrossWorkerSharedData.connect(path) : new InProcessSharedData();
}
