// Shared data (a key-value store every VM of the same vm_id sees, with compare-and-swap) and shared queues.
import { Status } from "./abi/enums";
import { lastStatus } from "./abi/status";
import {
  dequeueSharedQueue, enqueueSharedQueue, getSharedData as hostGet, registerSharedQueue, resolveSharedQueue,
  returnedCas, returnedQueueId, setSharedData as hostSet,
} from "./hostcalls/shared";

/** A shared value and its compare-and-swap token; `value` is null when the key is absent. */
export class SharedData {
  constructor(readonly status: Status, readonly value: ArrayBuffer | null, readonly cas: u32) {}
  get found(): bool {
    return this.value !== null;
  }
  /** The value as UTF-8 ("" when absent). */
  string(): string {
    const v = this.value;
    return v === null ? "" : String.UTF8.decode(v);
  }
}

/**
 * Reads `key`. Use `cas` with `setSharedData` to update it atomically.
 *
 * @example
 * // Atomic increment, retried on a concurrent update:
 * for (let attempt = 0; attempt < 8; attempt++) {
 *   const cur = getSharedData("hits");
 *   const n = cur.found ? load<u64>(changetype<usize>(cur.value)) : 0;
 *   const next = new ArrayBuffer(8); store<u64>(changetype<usize>(next), n + 1);
 *   if (setSharedData("hits", next, cur.cas) != Status.CasMismatch) break;
 * }
 */
export function getSharedData(key: string): SharedData {
  const v = hostGet(key);
  const s = lastStatus();
  return new SharedData(s, v, s == Status.Ok ? returnedCas() : 0);
}

/**
 * Writes `key`. With a non-zero `cas` from `getSharedData` the write happens only if nobody wrote
 * in between, else the result is `Status.CasMismatch`. `cas` 0 writes unconditionally.
 */
export function setSharedData(key: string, value: ArrayBuffer, cas: u32 = 0): Status {
  return hostSet(key, value, cas);
}

/** `setSharedData` with a UTF-8 string value. */
export function setSharedDataString(key: string, value: string, cas: u32 = 0): Status {
  return hostSet(key, String.UTF8.encode(value), cas);
}

/**
 * A shared queue. The VM that registers it gets `onQueueReady(queueId)` on its root context when
 * an item arrives; other VMs resolve it by vm id and name to enqueue.
 *
 * @example
 * this.queue = SharedQueue.register("events");        // consumer, in onConfigure
 * // in onQueueReady(id): let item = this.queue!.dequeueString(); while (item !== null) { …; item = this.queue!.dequeueString(); }
 * const q = SharedQueue.resolve("my_vm", "events");   // producer
 * if (q !== null) q.enqueueString("hello");
 */
export class SharedQueue {
  constructor(readonly id: u32) {}

  /** Creates or opens the queue `name` of this VM; null on error (see `lastStatus()`). */
  static register(name: string): SharedQueue | null {
    return registerSharedQueue(name) == Status.Ok ? new SharedQueue(returnedQueueId()) : null;
  }

  /** Opens the queue `name` registered by the VM `vmId`; null when there is none. */
  static resolve(vmId: string, name: string): SharedQueue | null {
    return resolveSharedQueue(vmId, name) == Status.Ok ? new SharedQueue(returnedQueueId()) : null;
  }

  enqueue(value: ArrayBuffer): Status {
    return enqueueSharedQueue(this.id, value);
  }

  enqueueString(value: string): Status {
    return enqueueSharedQueue(this.id, String.UTF8.encode(value));
  }

  /** The next item, or null (`lastStatus()` is `Empty` when the queue is drained). */
  dequeue(): ArrayBuffer | null {
    return dequeueSharedQueue(this.id);
  }

  /** The next item as UTF-8, or null. */
  dequeueString(): string | null {
    const v = dequeueSharedQueue(this.id);
    return v === null ? null : String.UTF8.decode(v);
  }
}
