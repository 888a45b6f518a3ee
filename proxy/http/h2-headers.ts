// Header conversion between node:http2's header lists/objects and Weft's HeaderMap, with HTTP/2's rules (RFC 9113 §8.2).
import type { OutgoingHttpHeaders } from 'node:http2';
import { HeaderMap } from './header-map.js';

/**
 * Header fields that describe one connection: illegal in HTTP/2 (RFC 9113 §8.2.2), stripped on the
 * way out. `te` is handled apart (only "trailers" may cross).
 */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'host']);

/**
 * Fields node:http2 accepts only once per message (it throws on a second one). A repeated one from
 * an HTTP/1 peer keeps its first value rather than failing the stream.
 */
const SINGLE_VALUE = new Set([
  'access-control-allow-credentials', 'access-control-max-age', 'access-control-request-method', 'age', 'authorization',
  'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5', 'content-range',
  'content-type', 'date', 'dnt', 'etag', 'expires', 'from', 'if-match', 'if-modified-since', 'if-none-match',
  'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'range',
  'referer', 'retry-after', 'tk', 'upgrade-insecure-requests', 'user-agent', 'x-content-type-options',
]);

export type RequestHeadersResult = { ok: true; headers: HeaderMap } | { ok: false; message: string };

/**
 * A request's HeaderMap from the flat list node:http2 delivers (already validated by nghttp2:
 * lowercase names, pseudo-headers first, no connection-specific fields, `te` only "trailers").
 * - Pseudo-headers are put in Weft's order (:method, :scheme, :authority, :path).
 * - `host` becomes :authority when :authority is missing; a `host` that disagrees with
 *   :authority is malformed (RFC 9113 §8.3.1); `host` is then dropped.
 * - `cookie` fields split by the client (§8.2.3) are joined with "; ", as HTTP/1 requires.
 * - `te` is dropped (hop-by-hop; an HTTP/2 upstream gets "te: trailers" back for gRPC).
 */
export function requestHeadersFromH2(raw: readonly string[]): RequestHeadersResult {
  let method: string | undefined;
  let scheme: string | undefined;
  let authority: string | undefined;
  let path: string | undefined;
  let host: string | undefined;
  let cookie: string | undefined;
  let cookieAt = -1;
  const rest: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':method') method = value;
      else if (name === ':scheme') scheme = value;
      else if (name === ':authority') authority = value;
      else if (name === ':path') path = value;
      else return { ok: false, message: `unsupported pseudo-header ${name}` };
      continue;
    }
    if (name === 'host') {
      if (host !== undefined) return { ok: false, message: 'more than one host header' };
      host = value;
    } else if (name === 'cookie') {
      if (cookie === undefined) {
        cookie = value;
        cookieAt = rest.length;
        rest.push(name, value);
      } else {
        cookie += `; ${value}`;
      }
    } else if (name !== 'te') {
      rest.push(name, value);
    }
  }
  if (cookieAt >= 0) rest[cookieAt + 1] = cookie!;
  if (method === undefined) return { ok: false, message: 'missing :method' };
  if (method === 'CONNECT') return { ok: false, message: 'CONNECT is not supported over HTTP/2' };
  if (path === undefined || path.length === 0) return { ok: false, message: 'missing :path' };
  if (scheme === undefined) return { ok: false, message: 'missing :scheme' };
  if (authority === undefined || authority.length === 0) {
    if (host === undefined || host.length === 0) return { ok: false, message: 'missing :authority and host' };
    authority = host;
  } else if (host !== undefined && host.toLowerCase() !== authority.toLowerCase()) {
    return { ok: false, message: 'host header differs from :authority' };
  }
  const list = [':method', method, ':scheme', scheme, ':authority', authority, ':path', path];
  for (let i = 0; i < rest.length; i++) list.push(rest[i]!);
  return { ok: true, headers: new HeaderMap(list) };
}

/** A response (or trailers) HeaderMap from node:http2's flat list; connection-specific fields dropped. */
export function headersFromH2(raw: readonly string[]): HeaderMap {
  const list: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (CONNECTION_SPECIFIC.has(name) || name === 'te') continue;
    list.push(name, raw[i + 1]!);
  }
  return new HeaderMap(list);
}

/**
 * node:http2's header object for `respond`, `request`, `additionalHeaders` or `sendTrailers`.
 * `pseudo` says which pseudo-headers may pass (":status" for responses, the request ones for
 * requests, none for trailers). Connection-specific fields are stripped; `te` passes only as
 * "trailers"; repeated fields become arrays, except single-value ones, which keep their first value.
 */
export function toH2Headers(map: HeaderMap, pseudo: 'response' | 'request' | 'none'): OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const l = map.list;
  for (let i = 0; i + 1 < l.length; i += 2) {
    const name = l[i]!;
    const value = l[i + 1]!;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (pseudo === 'response' ? name !== ':status' : pseudo === 'none' || !REQUEST_PSEUDO.has(name)) continue;
    } else if (CONNECTION_SPECIFIC.has(name)) {
      continue;
    } else if (name === 'te') {
      if (value.trim().toLowerCase() !== 'trailers') continue;
    }
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (name.charCodeAt(0) === 58 || SINGLE_VALUE.has(name)) continue;
    else if (typeof prev === 'string') out[name] = [prev, value];
    else prev.push(value);
  }
  return out;
}

const REQUEST_PSEUDO = new Set([':method', ':scheme', ':authority', ':path']);
