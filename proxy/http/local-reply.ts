// A LocalReply as a response: headers and body, or a trailers-only gRPC response for gRPC requests.
import type { LocalReply } from './filter.js';
import { HeaderMap } from './header-map.js';
import { grpcLocalReplyFields, grpcStatusForHttp, isGrpcContentType } from './grpc.js';

const EMPTY = Buffer.alloc(0);

/**
 * The response a LocalReply stands for. To gRPC requests (content-type application/grpc*) it is
 * a trailers-only response: HTTP 200 with grpc-status (the reply's, or the one gRPC maps its HTTP
 * status to) and grpc-message. Otherwise: the status, the reply's headers, content-type
 * (text/plain by default when there is a body) and content-length.
 */
export function localReplyMessage(reply: LocalReply, requestHeaders: HeaderMap | undefined): { headers: HeaderMap; body: Buffer } {
  const body = reply.body === undefined ? EMPTY : typeof reply.body === 'string' ? Buffer.from(reply.body) : Buffer.from(reply.body);
  if (isGrpcContentType(requestHeaders?.get('content-type'))) {
    // gRPC clients read errors from grpc-status in a trailers-only response (HTTP 200).
    const message = (reply.details ?? body.toString()).slice(0, 1024);
    const fields = grpcLocalReplyFields(reply.grpcStatus ?? grpcStatusForHttp(reply.status), message, reply.headers);
    return { headers: new HeaderMap(fields), body: EMPTY };
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
