// Outbox: bytes a codec wrote during one tick, sent to the socket in one write (a head and a small body: one buffer).
import type { Socket } from 'node:net';

/** Above this many queued bytes the outbox flushes at once (bodies are not held back). */
const FLUSH_AT = 64 * 1024;
/** Up to this many bytes, queued parts are copied into one buffer (one plain write beats writev). */
const COALESCE_UP_TO = 16 * 1024;

/**
 * Queues writes until `flush()` or the end of the current tick. Strings are latin1 (codecs only
 * queue heads they validated: one byte per character). `clear()` drops what is queued, so a
 * stream reset in the same tick as its head sends nothing.
 */
export class Outbox {
  private readonly parts: (string | Buffer)[] = [];
  private bytes = 0;
  private scheduled = false;
  private readonly endOfTick = () => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly socket: Socket) {}

  /** Queues `data`; returns false when the socket is above its high watermark (the caller should pause). */
  push(data: string | Buffer): boolean {
    if (data.length === 0) return !this.socket.writableNeedDrain;
    this.parts.push(data);
    this.bytes += data.length;
    if (this.bytes >= FLUSH_AT) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      // A microtask, not process.nextTick: it runs right after the I/O callback that queued the
      // bytes, without the tick-queue machinery.
      queueMicrotask(this.endOfTick);
    }
    return !this.socket.writableNeedDrain;
  }

  /** Writes what is queued now; returns the socket's write result. */
  flush(): boolean {
    const parts = this.parts;
    const n = parts.length;
    if (n === 0) return !this.socket.writableNeedDrain;
    const bytes = this.bytes;
    this.bytes = 0;
    const s = this.socket;
    if (s.destroyed) {
      parts.length = 0;
      return false;
    }
    let ok: boolean;
    if (n === 1) {
      const p = parts[0]!;
      parts.length = 0;
      ok = typeof p === 'string' ? s.write(p, 'latin1') : s.write(p);
    } else if (bytes <= COALESCE_UP_TO) {
      const buf = Buffer.allocUnsafe(bytes);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const p = parts[i]!;
        at += typeof p === 'string' ? buf.write(p, at, 'latin1') : p.copy(buf, at);
      }
      parts.length = 0;
      ok = s.write(buf);
    } else {
      // Copied out first: a write may not re-enter, but the array is reused.
      const all = parts.slice();
      parts.length = 0;
      s.cork();
      ok = true;
      for (const p of all) ok = typeof p === 'string' ? s.write(p, 'latin1') : s.write(p);
      s.uncork();
    }
    return ok;
  }

  /** Drops what is queued. */
  clear(): void {
    this.parts.length = 0;
    this.bytes = 0;
  }

  get pendingBytes(): number {
    return this.bytes;
  }
}
