// The primary's side of cross-worker shared data: one store, served to worker processes over a Unix socket.
import { createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { InProcessSharedData } from './shared-data.js';
import { Status } from './abi.js';

/**
 * Wire protocol (both ways): one JSON object per line. Requests carry `id` and `op`; bytes are
 * base64. The server answers each request in order with `{ id, ... }` and pushes
 * `{ notify: listener, token }` when an item is enqueued on a queue a connection registered.
 */
export interface SharedDataRequest {
  readonly id: number;
  readonly op: 'get' | 'set' | 'register' | 'resolve' | 'enqueue' | 'dequeue' | 'unregister';
  readonly vmId?: string;
  readonly key?: string;
  readonly value?: string;
  readonly cas?: number;
  readonly name?: string;
  readonly token?: number;
  readonly listener?: number;
}

export interface SharedDataServer {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Starts the store in the primary process. All operations are serialized by the primary's event
 * loop, so compare-and-swap is linearizable across workers. Workers reach it with
 * `sharedDataFromEnv()` when WEFT_SHARED_DATA_SOCKET names `socketPath`.
 */
export async function createSharedDataServer(socketPath: string): Promise<SharedDataServer> {
  rmSync(socketPath, { force: true });
  const store = new InProcessSharedData();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const listeners = new Map<number, (token: number) => void>();
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line) socket.write(`${JSON.stringify(handle(JSON.parse(line) as SharedDataRequest))}\n`);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      for (const l of listeners.values()) store.unregisterListener(l);
    });
    const handle = (r: SharedDataRequest): Record<string, unknown> => {
      switch (r.op) {
        case 'get': {
          const e = store.get(r.vmId!, r.key!);
          return e ? { id: r.id, value: Buffer.from(e.value).toString('base64'), cas: e.cas } : { id: r.id, status: Status.NotFound };
        }
        case 'set':
          return { id: r.id, status: store.set(r.vmId!, r.key!, Buffer.from(r.value!, 'base64'), r.cas ?? 0) };
        case 'register': {
          const id = r.listener!;
          let l = listeners.get(id);
          if (!l) {
            l = (token: number) => socket.writable && socket.write(`${JSON.stringify({ notify: id, token })}\n`);
            listeners.set(id, l);
          }
          return { id: r.id, token: store.registerQueue(r.vmId!, r.name!, l) };
        }
        case 'resolve':
          return { id: r.id, token: store.resolveQueue(r.vmId!, r.name!) };
        case 'enqueue':
          return { id: r.id, status: store.enqueue(r.token!, Buffer.from(r.value!, 'base64')) };
        case 'dequeue': {
          const v = store.dequeue(r.token!);
          return typeof v === 'number' ? { id: r.id, status: v } : { id: r.id, value: Buffer.from(v).toString('base64') };
        }
        case 'unregister': {
          const l = listeners.get(r.listener!);
          if (l) store.unregisterListener(l);
          listeners.delete(r.listener!);
          return { id: r.id, status: Status.Ok };
        }
        default:
          return { id: r.id, status: Status.BadArgument };
      }
    };
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          rmSync(socketPath, { force: true });
          resolve();
        });
      }),
  };
}
