// Shared key-value data (with compare-and-swap) and shared queues, namespaced by vm_id; the in-process store.
import { Status } from './abi.js';

/** Receives "an item was enqueued" for a queue a root context registered. */
export type QueueListener = (token: number) => void;

/**
 * The store behind proxy_{get,set}_shared_data and the shared-queue calls. All calls are
 * synchronous (the ABI is). Implementations: `InProcessSharedData` (one process) and the
 * cross-worker client in `shared-data-client.ts`; both keep these semantics, which follow
 * Envoy's host:
 * - every value has a CAS number that changes on each write; `set` with cas != 0 fails with
 *   CasMismatch when the key exists with another CAS (a missing key is created);
 * - queues are named per vm_id; registering an existing queue keeps its items and moves its
 *   ready notifications to the new registrant; tokens are never 0.
 */
export interface SharedDataStore {
  get(vmId: string, key: string): { readonly value: Uint8Array; readonly cas: number } | undefined;
  set(vmId: string, key: string, value: Uint8Array, cas: number): typeof Status.Ok | typeof Status.CasMismatch;
  registerQueue(vmId: string, name: string, listener: QueueListener): number;
  /** 0 when there is no such queue. */
  resolveQueue(vmId: string, name: string): number;
  enqueue(token: number, value: Uint8Array): typeof Status.Ok | typeof Status.NotFound;
  dequeue(token: number): Uint8Array | typeof Status.NotFound | typeof Status.Empty;
  /** Forget the listeners of a VM that went away (its queues and items stay). */
  unregisterListener(listener: QueueListener): void;
  close?(): void;
}

interface Queue {
  readonly items: Uint8Array[];
  listener: QueueListener | undefined;
}

/**
 * The store for one process: every PluginManager (and so every VM) given the same instance
 * shares it. Listeners are called on a later turn of the event loop, never inside the enqueueing
 * callback, so a VM is not re-entered.
 */
export class InProcessSharedData implements SharedDataStore {
  private readonly data = new Map<string, Map<string, { value: Uint8Array; cas: number }>>();
  private readonly queues = new Map<number, Queue>();
  private readonly tokens = new Map<string, number>();
  private nextCas = 1;
  private nextToken = 1;

  get(vmId: string, key: string): { value: Uint8Array; cas: number } | undefined {
    return this.data.get(vmId)?.get(key);
  }

  set(vmId: string, key: string, value: Uint8Array, cas: number): typeof Status.Ok | typeof Status.CasMismatch {
    let map = this.data.get(vmId);
    if (!map) {
      map = new Map();
      this.data.set(vmId, map);
    }
    const prev = map.get(key);
    if (prev && cas !== 0 && prev.cas !== cas) return Status.CasMismatch;
    map.set(key, { value: Uint8Array.from(value), cas: this.allocCas() });
    return Status.Ok;
  }

  private allocCas(): number {
    const c = this.nextCas;
    this.nextCas = this.nextCas >= 0xffffffff ? 1 : this.nextCas + 1;
    return c;
  }

  registerQueue(vmId: string, name: string, listener: QueueListener): number {
    const key = `${vmId}\0${name}`;
    let token = this.tokens.get(key);
    if (token === undefined) {
      token = this.nextToken++;
      this.tokens.set(key, token);
      this.queues.set(token, { items: [], listener });
    } else {
      this.queues.get(token)!.listener = listener;
    }
    return token;
  }

  resolveQueue(vmId: string, name: string): number {
    return this.tokens.get(`${vmId}\0${name}`) ?? 0;
  }

  enqueue(token: number, value: Uint8Array): typeof Status.Ok | typeof Status.NotFound {
    const q = this.queues.get(token);
    if (!q) return Status.NotFound;
    q.items.push(Uint8Array.from(value));
    const listener = q.listener;
    if (listener) setImmediate(() => listener(token));
    return Status.Ok;
  }

  dequeue(token: number): Uint8Array | typeof Status.NotFound | typeof Status.Empty {
    const q = this.queues.get(token);
    if (!q) return Status.NotFound;
    const item = q.items.shift();
    return item ?? Status.Empty;
  }

  unregisterListener(listener: QueueListener): void {
    for (const q of this.queues.values()) if (q.listener === listener) q.listener = undefined;
  }
}
