// HTTP/1.1 wire helpers shared by the server and client codecs: hop-by-hop rules, framing checks, field checks, Date.
import { STATUS_CODES } from 'node:http';

/**
 * True for the hop-by-hop fields of RFC 9110 §7.6.1 that never cross the proxy (`upgrade` too:
 * codecs re-add it for upgrades). `te` is handled apart (`te: trailers` is kept for gRPC).
 */
export function isHopByHop(name: string): boolean {
  switch (name.length) {
    case 7:
      return name === 'trailer' || name === 'upgrade';
    case 10:
      return name === 'connection' || name === 'keep-alive';
    case 16:
      return name === 'proxy-connection';
    case 17:
      return name === 'transfer-encoding';
    default:
      return false;
  }
}

/** Lowercase tokens of every `connection` / `proxy-connection` field, or undefined when there are none. */
export function connectionTokens(fields: readonly string[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (let i = 0; i < fields.length; i += 2) {
    const n = fields[i]!;
    if (n === 'connection' || n === 'proxy-connection') {
      for (const t of fields[i + 1]!.split(',')) {
        const tok = t.trim().toLowerCase();
        if (tok) (out ??= new Set()).add(tok);
      }
    }
  }
  return out;
}

/**
 * Copies end-to-end fields from `fields` into `out`: drops hop-by-hop fields, fields named in
 * Connection, and `te` unless it is exactly "trailers". With `keepUpgrade`, keeps `upgrade`.
 * `host` is dropped too (it travels as :authority). Returns `out`.
 */
export function copyEndToEnd(fields: readonly string[], out: string[], keepUpgrade: boolean): string[] {
  let named: Set<string> | undefined;
  for (let i = 0; i < fields.length; i += 2) {
    const n = fields[i]!;
    if (n === 'connection' || n === 'proxy-connection') {
      named = connectionTokens(fields);
      break;
    }
  }
  for (let i = 0; i < fields.length; i += 2) {
    const n = fields[i]!;
    const v = fields[i + 1]!;
    if (isHopByHop(n)) {
      if (!(keepUpgrade && n === 'upgrade')) continue;
    } else if (n === 'host') {
      continue;
    } else if (n === 'te') {
      if (v.toLowerCase() !== 'trailers') continue;
    }
    if (named !== undefined && named.has(n) && !(keepUpgrade && n === 'upgrade')) continue;
    out.push(n, v);
  }
  return out;
}

/** What the framing fields of a message say about its body. */
export interface Framing {
  /** "none" (no body), "length" (Content-Length), "chunked", "close" (until the connection closes, responses only). */
  readonly kind: 'none' | 'length' | 'chunked' | 'close';
  readonly length: number;
}

export interface FramingError {
  readonly status: 400 | 501;
  readonly code: string;
  readonly message: string;
}

const TRANSFER_CODINGS = new Set(['chunked', 'gzip', 'x-gzip', 'deflate', 'compress', 'x-compress', 'identity']);

/**
 * Validates Content-Length and Transfer-Encoding of a request head (RFC 9112 §6): at most one
 * Content-Length of digits, at most one Transfer-Encoding whose only coding is a final "chunked",
 * never both, no Transfer-Encoding on HTTP/1.0. Unknown codings give 501, everything else 400.
 * Returns the framing, or the error to answer with (the request must not be forwarded).
 */
export function requestFraming(fields: readonly string[], http10: boolean): Framing | FramingError {
  let cl: string | undefined;
  let te: string | undefined;
  for (let i = 0; i < fields.length; i += 2) {
    const n = fields[i]!;
    if (n === 'content-length') {
      if (cl !== undefined) return { status: 400, code: 'invalid_request', message: 'duplicate Content-Length' };
      cl = fields[i + 1]!;
    } else if (n === 'transfer-encoding') {
      if (te !== undefined) return { status: 400, code: 'invalid_request', message: 'Transfer-Encoding sent twice' };
      te = fields[i + 1]!;
    }
  }
  if (te !== undefined) {
    if (cl !== undefined) return { status: 400, code: 'invalid_request', message: 'both Content-Length and Transfer-Encoding' };
    if (http10) return { status: 400, code: 'invalid_request', message: 'Transfer-Encoding on HTTP/1.0' };
    const codings = te.split(',').map((c) => c.trim().toLowerCase());
    for (const c of codings) {
      if (!TRANSFER_CODINGS.has(c)) return { status: 501, code: 'unsupported_transfer_encoding', message: `unknown transfer coding "${c.slice(0, 40)}"` };
    }
    if (codings.length !== 1 || codings[0] !== 'chunked') {
      if (codings[codings.length - 1] !== 'chunked' || codings.indexOf('chunked') !== codings.length - 1) {
        return { status: 400, code: 'invalid_request', message: 'Transfer-Encoding must end in a single "chunked"' };
      }
      return { status: 501, code: 'unsupported_transfer_encoding', message: 'only "chunked" transfer coding is supported' };
    }
    return CHUNKED;
  }
  if (cl !== undefined) {
    const length = parseContentLength(cl);
    if (length < 0) return { status: 400, code: 'invalid_request', message: 'invalid Content-Length' };
    return length === 0 ? NONE : { kind: 'length', length };
  }
  return NONE;
}

/**
 * Framing of a response head (RFC 9112 §6.3) given the request method and status. Duplicate or
 * malformed Content-Length, or both framings, are errors (the upstream connection is not reused).
 */
export function responseFraming(fields: readonly string[], method: string, status: number): Framing | string {
  let cl: string | undefined;
  let te: string | undefined;
  for (let i = 0; i < fields.length; i += 2) {
    const n = fields[i]!;
    if (n === 'content-length') {
      if (cl !== undefined) return 'duplicate Content-Length';
      cl = fields[i + 1]!;
    } else if (n === 'transfer-encoding') {
      if (te !== undefined) return 'Transfer-Encoding sent twice';
      te = fields[i + 1]!;
    }
  }
  if (te !== undefined && cl !== undefined) return 'both Content-Length and Transfer-Encoding';
  const length = cl !== undefined ? parseContentLength(cl) : 0;
  if (length < 0) return 'invalid Content-Length';
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return NONE;
  if (te !== undefined) {
    const codings = te.split(',');
    return codings[codings.length - 1]!.trim().toLowerCase() === 'chunked' ? CHUNKED : CLOSE;
  }
  if (cl !== undefined) return length === 0 ? NONE : { kind: 'length', length };
  return CLOSE;
}

export function isFramingError(f: Framing | FramingError): f is FramingError {
  return (f as FramingError).status !== undefined;
}

const NONE: Framing = Object.freeze({ kind: 'none', length: 0 });
const CHUNKED: Framing = Object.freeze({ kind: 'chunked', length: 0 });
const CLOSE: Framing = Object.freeze({ kind: 'close', length: 0 });

/** Digits only (no sign, no list), at most 15 of them; -1 when malformed. */
export function parseContentLength(v: string): number {
  if (v.length === 0 || v.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** A field name is a token (RFC 9110 §5.1); lowercase is not required here. */
export function isValidFieldName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    if (TOKEN[name.charCodeAt(i)] !== 1) return false;
  }
  return true;
}

/** A field value has no CR, LF, NUL or other controls except HTAB (RFC 9110 §5.5). */
export function isValidFieldValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return false;
  }
  return true;
}

const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN[c] = 1;

/**
 * Why a request head cannot be written as an HTTP/1.1 request line and Host (a filter or a Wasm
 * callout may have set anything), or undefined when it can: the method must be a token, the
 * target visible characters only (no space, no control), the authority a valid host[:port].
 */
export function requestHeadProblem(method: string, path: string | undefined, authority: string | undefined): string | undefined {
  if (!isValidFieldName(method)) return 'invalid :method';
  if (method !== 'CONNECT' && (path === undefined || !REQUEST_TARGET_RE.test(path))) return 'invalid :path';
  if (authority !== undefined && !isValidAuthority(authority)) return 'invalid :authority';
  if (method === 'CONNECT' && (authority === undefined || authority === '')) return 'CONNECT without :authority';
  return undefined;
}
const REQUEST_TARGET_RE = /^[\x21-\x7e\x80-\xff]+$/;

/** Host header / authority-form check: reg-name or IP literal, optional port; no userinfo, no spaces. */
export function isValidAuthority(a: string): boolean {
  return AUTHORITY_RE.test(a);
}
const AUTHORITY_RE = /^(?:[A-Za-z0-9\-._~%!$&'()*+,;=]*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?$/;

export const FIELDS_KEEP_UPGRADE = 1;
export const FIELDS_SKIP_CONTENT_LENGTH = 2;
export const FIELDS_SKIP_HOST = 4;

/**
 * Field lines for the wire ("name: value\r\n"…). Skips pseudo-headers, hop-by-hop fields (framing
 * is the codec's job; `upgrade` is kept with FIELDS_KEEP_UPGRADE) and fields a filter made unsafe
 * (invalid name, CR/LF/NUL in the value): no header injection, whatever a filter wrote.
 */
export function fieldLines(l: readonly string[], flags: number): string {
  let out = '';
  for (let i = 0; i < l.length; i += 2) {
    const n = l[i]!;
    if (n.charCodeAt(0) === 58 /* : */) continue;
    if (isHopByHop(n) && !(n === 'upgrade' && (flags & FIELDS_KEEP_UPGRADE) !== 0)) continue;
    if (n === 'content-length' && (flags & FIELDS_SKIP_CONTENT_LENGTH) !== 0) continue;
    if (n === 'host' && (flags & FIELDS_SKIP_HOST) !== 0) continue;
    const v = l[i + 1]!;
    if (!isValidFieldName(n) || !isValidFieldValue(v)) continue;
    out += `${n}: ${v}\r\n`;
  }
  return out;
}

const statusLines11 = new Map<number, string>();
const statusLines10 = new Map<number, string>();

/** "HTTP/1.1 200 OK\r\n" (cached per status). */
export function statusLine(status: number, http10: boolean): string {
  const cache = http10 ? statusLines10 : statusLines11;
  let line = cache.get(status);
  if (line === undefined) {
    line = `HTTP/1.${http10 ? 0 : 1} ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    if (cache.size < 1000) cache.set(status, line);
  }
  return line;
}

let cachedDate = '';
let cachedDateSecond = -1;

/** The IMF-fixdate of now, for the Date header (recomputed at most once per second). */
export function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedDateSecond) {
    cachedDateSecond = second;
    cachedDate = new Date(now).toUTCString();
  }
  return cachedDate;
}
