// The HTTP/1.x message parser seam: codecs drive an H1Parser, so the parser (llhttp in Wasm today) can be swapped.

/** A message head as the parser saw it: request line or status line, then the header fields. */
export interface H1Head {
  /** Request method (requests only), e.g. "GET". */
  readonly method: string;
  /** Request target as sent (requests only): origin-form, absolute-form, authority-form or "*". */
  readonly url: string;
  /** Status code (responses only). */
  readonly status: number;
  readonly versionMajor: number;
  readonly versionMinor: number;
  /**
   * Header fields in order, flat: `[name0, value0, name1, value1, …]`. Names are lowercased;
   * values have surrounding whitespace removed and are otherwise as received (latin1).
   */
  readonly headers: string[];
  /** The parser's keep-alive verdict (version default, then `Connection: close/keep-alive`). */
  readonly keepAlive: boolean;
  /** The message asks to leave HTTP: an Upgrade request, CONNECT, or a 101 response. */
  readonly upgrade: boolean;
  /** Bytes of the head counted against the header limit (start line and fields). */
  readonly headBytes: number;
}

/** What `onHead` tells the parser about what follows the head. */
export const HeadAction = {
  /** Read the body as the headers frame it. */
  Body: 0,
  /** There is no body (response to HEAD, 1xx, 204, 304). */
  NoBody: 1,
  /** The rest of the connection is another protocol: stop after this head (execute returns Tunnel). */
  Tunnel: 2,
  /** Reject the message (the handler knows why); execute returns Error. */
  Reject: -1,
} as const;

/** What `onBody` / `onMessageComplete` return. */
export const CallbackAction = { Continue: 0, Pause: 1, Reject: -1 } as const;

/** What `execute` returns. */
export const ParseStatus = {
  /** All bytes consumed. */
  Ok: 0,
  /** A callback asked to pause; `stopOffset` bytes were consumed. Call `resume()` before executing the rest. */
  Paused: 1,
  /** The head of an upgrade/tunnel was parsed; bytes after `stopOffset` belong to the tunnel. */
  Tunnel: 2,
  /** Malformed input or a rejected message; see `error`. The parser is unusable afterwards. */
  Error: 3,
} as const;
export type ParseStatus = (typeof ParseStatus)[keyof typeof ParseStatus];

export type H1ParseErrorKind =
  | 'header_overflow' // header block or field count above the limit (431 downstream)
  | 'rejected' // a handler callback rejected the message (the handler knows why)
  | 'protocol'; // malformed bytes

export interface H1ParseError {
  readonly kind: H1ParseErrorKind;
  /** Stable parser error name, e.g. "INVALID_HEADER_TOKEN". */
  readonly code: string;
  readonly reason: string;
}

/**
 * Receives parse events synchronously from inside `execute`. Each message gives `onHead`, then
 * `onBody`* (subarrays of the executed buffer, not copies: they stay valid as long as that
 * buffer is not reused), then `onMessageComplete` with its trailers, if any.
 */
export interface H1ParserHandler {
  onHead(head: H1Head): number;
  onBody(chunk: Buffer): number;
  /** `trailers` is flat like `H1Head.headers`, or undefined when there were none. */
  onMessageComplete(trailers: string[] | undefined): number;
}

export interface H1ParserLimits {
  /** Largest head (start line plus fields), in bytes. */
  readonly maxHeaderBytes: number;
  /** Most header fields in a head (and in trailers). */
  readonly maxHeaderCount: number;
}

/** One parser per connection; messages follow each other (keep-alive, pipelining). */
export interface H1Parser {
  execute(data: Buffer): ParseStatus;
  /** After Paused, Tunnel or Error: how many bytes of the last executed buffer were consumed. */
  readonly stopOffset: number;
  readonly error: H1ParseError | undefined;
  /** The peer closed its side: completes a close-delimited body, or reports a truncated message. */
  finish(): ParseStatus;
  /** Resumes after Paused. */
  resume(): void;
  /** True between a message's first byte and its completion. */
  readonly inMessage: boolean;
  /** True while a message head is being read (its limit still applies). */
  readonly inHead: boolean;
  /** Frees the parser; safe to call more than once, and from inside a callback (freed after execute returns). */
  destroy(): void;
}

export type H1ParserFactory = (kind: 'request' | 'response', handler: H1ParserHandler, limits: H1ParserLimits) => H1Parser;
