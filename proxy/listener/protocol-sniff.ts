// Tells HTTP/2 prior-knowledge connections from HTTP/1 ones by their first bytes.
import type { Socket } from 'node:net';

/** The HTTP/2 connection preface (RFC 9113 §3.4). */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * Reads until the first bytes either start with the HTTP/2 preface or cannot, then calls
 * `decided` once with the bytes read so far (to be handed to the codec). Decides after the first
 * byte for almost every HTTP/1 request ("P" starts only PRI, POST, PUT, PATCH, PURGE, PROPFIND…).
 * A peer that sends nothing within `timeoutMs` is disconnected.
 */
export function detectHttp2Preface(socket: Socket, timeoutMs: number, decided: (isHttp2: boolean, initialData: Buffer) => void): void {
  let buffered: Buffer | undefined;
  const onTimeout = () => socket.destroy();
  if (timeoutMs > 0) socket.setTimeout(timeoutMs, onTimeout);
  const onData = (chunk: Buffer) => {
    const data = buffered === undefined ? chunk : Buffer.concat([buffered, chunk]);
    const n = Math.min(data.length, HTTP2_PREFACE.length);
    const matches = data.compare(HTTP2_PREFACE, 0, n, 0, n) === 0;
    if (matches && data.length < HTTP2_PREFACE.length) {
      buffered = data;
      return;
    }
    socket.removeListener('data', onData);
    socket.removeListener('end', onEnd);
    if (timeoutMs > 0) {
      socket.setTimeout(0);
      socket.removeListener('timeout', onTimeout);
    }
    decided(matches, data);
  };
  const onEnd = () => {
    socket.removeListener('data', onData);
    socket.destroy();
  };
  socket.on('data', onData);
  socket.once('end', onEnd);
}
