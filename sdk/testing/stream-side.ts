// One direction (request or response) of a stream at the harness's filter: what came in, what is held, what passed.
import { BodyBuffer, type HeaderMap } from '../../proxy/wasm/index.js';

export type Stage = 'headers' | 'body' | 'trailers';

/**
 * One direction (request or response) of a stream at the filter: what came in, what the filter
 * holds, and what it passed on (to the upstream for requests, to the client for responses).
 */
export class StreamSide {
  /** The headers, as the filter left them (undefined until sent). */
  headers: HeaderMap | undefined;
  /** The trailers, as the filter left them (also those a filter added in its last body callback). */
  trailers: HeaderMap | undefined;
  /** The headers went past the filter. */
  headersForwarded = false;
  /** The trailers went past the filter. */
  trailersForwarded = false;
  /** The end of this direction went past the filter. */
  ended = false;
  /** Where the filter holds this direction now (undefined: it does not). */
  heldAt: Stage | undefined;
  /** Body bytes at the filter not passed on yet (the chain's buffer). */
  readonly held = new BodyBuffer();
  private readonly passed: Buffer[] = [];
  /** @internal */ endReceived = false;
  /** @internal */ bodyWhileHeld = false;
  /** @internal */ trailersQueued = false;
  /** @internal Trailers came from the source (not made by the filter in its last body callback). */ trailersReceived = false;
  /** @internal */ inFilter = false;
  /** @internal */ resumeAsked = false;

  /** Body bytes the filter passed on, in order. */
  get body(): Buffer {
    if (this.passed.length > 1) this.passed.splice(0, this.passed.length, Buffer.concat(this.passed));
    return this.passed[0] ?? Buffer.alloc(0);
  }

  /** `body` as UTF-8. */
  get text(): string {
    return this.body.toString('utf8');
  }

  /** The body as JSON (throws when it is not). */
  json(): unknown {
    return JSON.parse(this.text) as unknown;
  }

  /** True while the filter holds this direction. */
  get paused(): boolean {
    return this.heldAt !== undefined;
  }

  /** @internal */
  pass(chunks: Buffer[]): number {
    let n = 0;
    for (const c of chunks) {
      if (c.length === 0) continue;
      this.passed.push(c);
      n += c.length;
    }
    return n;
  }
}

