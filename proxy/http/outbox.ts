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
  private parts: (string | Buffer)[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(private readonly socket: Socket) {}

  /** Queues `data`; returns false when the socket is above its high watermark (the caller should pause). */
  push(data: string | Buffer): boolean {
    if (data.length === 0) return !this.socket.writableNeedDrain;
    this.parts.push(data);
    this.bytes += data.length;
    if (this.bytes >= FLUSH_AT) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(flushAtEndOfTick, this);
    }
    return !this.socket.writableNeedDrain;
  }

  /** Writes what is queued now; returns the socket's write result. */
  flush(): boolean {
    const parts = this.parts;
    const n = parts.length;
    if (n === 0) return !this.socket.writableNeedDrain;
    const bytes = this.bytes;
    this.parts = [];
    this.bytes = 0;
    const s = this.socket;
    if (s.destroyed) return false;
    if (n === 1) {
      const p = parts[0]!;
      return typeof p === 'string' ? s.write(p, 'latin1') : s.write(p);
    }
    if (bytes <= COALESCE_UP_TO) {
      const buf = Buffer.allocUnsafe(bytes);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const p = parts[i]!;
        at += typeof p === 'string' ? buf.write(p, at, 'latin1') : p.copy(buf, at);
      }
      return s.write(buf);
    }
    s.cork();
    let ok = true;
    for (let i = 0; i < n; i++) {
      const p = parts[i]!;
      ok = typeof p === 'string' ? s.write(p, 'latin1') : s.write(p);
    }
    s.uncork();
    return ok;
  }

  /** Drops what is queued. */
  clear(): void {
    this.parts = [];
    this.bytes = 0;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  /** Called at the end of the tick; the flag is reset first so a later push schedules again. */
  endOfTick(): void {
    this.scheduled = false;
    this.flush();
  }
}

function flushAtEndOfTick(outbox: Outbox): void {
  outbox.endOfTick();
}
