// Waits for an upstream socket from a connector to become ready, with a timeout, and reports once.
import type { UpstreamSocket } from './connector.js';

/**
 * Calls `done(undefined)` when `up` is ready (TCP connected; TLS handshake done and the peer
 * verified) and `check` (if any) finds nothing wrong, or `done(message)` on an error, a close, the
 * timeout, or a failed check — then the socket is already destroyed. Returns a cancel function
 * (destroys the socket; `done` is not called).
 */
export function awaitReady(up: UpstreamSocket, timeoutMs: number, endpoint: string, done: (error: string | undefined) => void, check?: () => string | undefined): () => void {
  const socket = up.socket;
  let finished = false;
  const finish = (message: string | undefined) => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    socket.removeListener(up.readyEvent, onReady);
    socket.removeListener('error', onError);
    socket.removeListener('close', onClose);
    if (message !== undefined) {
      socket.on('error', noop);
      socket.destroy();
    }
    done(message);
  };
  const onReady = () => finish(check?.());
  const onError = (e: Error & { code?: string }) => {
    const what = up.readyEvent === 'secureConnect' && !socket.connecting ? 'TLS handshake with' : 'connect to';
    const detail = e.code !== undefined && !e.message.includes(e.code) ? `${e.code} (${e.message})` : e.message;
    finish(`${what} ${endpoint} failed: ${detail}`);
  };
  const onClose = () => finish(`connect to ${endpoint} failed: closed while connecting`);
  const timer = timeoutMs > 0 ? setTimeout(() => finish(`connect to ${endpoint} timed out after ${timeoutMs} ms`), timeoutMs) : undefined;
  socket.once(up.readyEvent, onReady);
  socket.on('error', onError);
  socket.once('close', onClose);
  return () => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    socket.removeListener('error', onError);
    socket.on('error', noop);
    socket.destroy();
  };
}

function noop(): void {}
