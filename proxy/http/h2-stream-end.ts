// Tells a peer's END_STREAM apart from RST_STREAM(NO_ERROR): node:http2 ends the readable side the same way for both.
import type { Http2Stream } from 'node:http2';

/**
 * Calls `onEnd(true)` when the peer ended its side of `stream` with END_STREAM (the message is
 * complete), or `onEnd(false)` when the readable side ended because the stream was closed
 * (RST_STREAM with NO_ERROR from either side: the message may be truncated).
 *
 * node:http2 pushes the end of the readable side in both cases and reports the difference
 * nowhere. The order does: a real END_STREAM ends the readable side while the stream is still
 * open; a close marks the stream closed first. So the stream's `push` is wrapped to look at
 * `closed` when the end is pushed. Call it from the 'stream' / 'response' handler.
 */
export function onRemoteEnd(stream: Http2Stream, onEnd: (complete: boolean) => void): void {
  // Bytes that came with the stream's opening HEADERS (e.g. the first read of a connection) may
  // have ended the readable side before anyone could listen; the same rule applies to them.
  const state = (stream as unknown as { _readableState?: { ended?: boolean } })._readableState;
  let complete = state?.ended === true && !stream.closed;
  const push = stream.push;
  stream.push = function pushWatchingEnd(this: Http2Stream, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null && !stream.closed) complete = true;
    return push.call(this, chunk, encoding);
  };
  stream.once('end', () => onEnd(complete));
}
