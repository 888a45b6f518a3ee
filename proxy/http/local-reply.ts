// A LocalReply as a response: headers and body, or a trailers-only gRPC response for gRPC requests.
import type { LocalReply } from './filter.js';
import { HeaderMap } from './header-map.js';

const EMPTY = Buffer.alloc(0);

/**
 * The response a LocalReply stands for. To gRPC requests (content-type application/grpc*) it is
 * a trailers-only response: HTTP 200 with grpc-status (the reply's, or the one gRPC maps its HTTP
 * status to) and grpc-message. Otherwise: the status, the reply's headers, content-type
 * (text/plain by default when there is a body) and content-length.
 */
export function localReplyMessage(reply: LocalReply, requestHeaders: HeaderMap | undefined): { headers: HeaderMap; body: Buffer } {
  const body = reply.body === undefined ? EMPTY : typeof reply.body === 'string' ? Buffer.from(reply.body) : Buffer.from(reply.body);
  const ct = requestHeaders?.get('content-type');
  if (ct !== undefined && ct.startsWith('application/grpc')) {
    const list = [':status', '200', 'content-type', 'application/grpc'];
    for (const [n, v] of reply.headers ?? []) {
      const name = n.toLowerCase();
      if (name !== 'content-type' && name !== 'content-length') list.push(name, v);
    }
    list.push('grpc-status', String(reply.grpcStatus ?? grpcStatusFor(reply.status)));
    const message = reply.details ?? body.toString();
    if (message) list.push('grpc-message', encodeURIComponent(message).slice(0, 1024));
    return { headers: new HeaderMap(list), body: EMPTY };
  }
  const list = [':status', String(reply.status)];
  let hasType = false;
  for (const [n, v] of reply.headers ?? []) {
    const name = n.toLowerCase();
    if (name === 'content-length' || name.charCodeAt(0) === 58) continue;
    if (name === 'content-type') hasType = true;
    list.push(name, v);
  }
  if (!hasType && body.length > 0) list.push('content-type', 'text/plain; charset=utf-8');
  list.push('content-length', String(body.length));
  return { headers: new HeaderMap(list), body };
}

/** gRPC status for an HTTP status (the mapping gRPC specifies for HTTP errors). */
function grpcStatusFor(status: number): number {
  switch (status) {
    case 400:
      return 13; // INTERNAL
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 12; // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return 14; // UNAVAILABLE
    default:
      return status >= 200 && status < 300 ? 0 : 2; // OK / UNKNOWN
  }
}
