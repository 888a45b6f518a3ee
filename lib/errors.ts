// Weft's error base class and the Result type for expected failures.

/**
 * Base class of every error Weft raises. `code` is stable (tests, logs and metrics key on it);
 * the message is for humans. Expected failures (validation, resolution) are returned as
 * `Result` values instead of thrown.
 */
export class WeftError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WeftError';
    this.code = code;
  }
}

/** An error that answers an HTTP request with `status` and an `x-weft-error: <code>` header. */
export class HttpError extends WeftError {
  readonly status: number;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'HttpError';
    this.status = status;
  }
}

export type Result<T, E = WeftError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
