// gRPC facts the proxy needs: recognising gRPC requests, grpc-timeout, and gRPC-shaped local replies (trailers-only).

/** gRPC status codes used by the proxy (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/**
 * True for gRPC content types: `application/grpc`, `application/grpc+proto`, `application/grpc;…`.
 * gRPC-Web (`application/grpc-web…`) is a different protocol and is not matched.
 */
export function isGrpcContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.length < 16) return false;
  if (contentType.slice(0, 16).toLowerCase() !== 'application/grpc') return false;
  if (contentType.length === 16) return true;
  const c = contentType.charCodeAt(16);
  return c === 43 /* + */ || c === 59 /* ; */;
}

/**
 * The gRPC status of a peer's HTTP answer that carries no grpc-status: gRPC's "HTTP to gRPC
 * status code mapping", as Envoy's gRPC client applies it (a 2xx without a status is UNKNOWN).
 */
export function grpcStatusOfPeerHttp(status: number): number {
  switch (status) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/**
 * The gRPC status for a local reply with HTTP `status`: gRPC's mapping, except that the proxy's
 * own timeouts (408, 504) are deadlines, its own size limits (413, 431) exhausted resources, and
 * a 2xx is OK.
 */
export function grpcStatusForHttp(status: number): number {
  switch (status) {
    case 408:
    case 504:
      return GrpcStatus.DEADLINE_EXCEEDED;
    case 413:
    case 431:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    default:
      return status >= 200 && status < 300 ? GrpcStatus.OK : grpcStatusOfPeerHttp(status);
  }
}

const TIMEOUT_UNITS_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/**
 * Milliseconds of a `grpc-timeout` value ("100m", "5S", "2H"; at most 8 digits then a unit), or
 * undefined when malformed. Sub-millisecond deadlines round up to 1 ms (0 would mean "no timeout").
 */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = value.length;
  if (n < 2 || n > 9) return undefined;
  const unit = TIMEOUT_UNITS_MS[value[n - 1]!];
  if (unit === undefined) return undefined;
  let digits = 0;
  for (let i = 0; i < n - 1; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    digits = digits * 10 + c;
  }
  return Math.max(1, Math.ceil(digits * unit));
}

/**
 * The effective timeout of a request: the route's timeout (0 = none) bounded above by the
 * client's gRPC deadline, when it sent one.
 */
export function boundByGrpcTimeout(routeTimeoutMs: number, grpcTimeout: string | undefined): number {
  const deadline = parseGrpcTimeout(grpcTimeout);
  if (deadline === undefined) return routeTimeoutMs;
  return routeTimeoutMs > 0 ? Math.min(routeTimeoutMs, deadline) : deadline;
}

/** Percent-encodes a grpc-message value as the gRPC spec requires (bytes outside 0x20-0x7E, and '%'). */
export function encodeGrpcMessage(message: string): string {
  let plain = true;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return message;
  let out = '';
  for (const b of Buffer.from(message, 'utf8')) {
    out += b < 0x20 || b > 0x7e || b === 0x25 ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
  }
  return out;
}

/**
 * The header fields of a trailers-only gRPC response (HTTP 200, END_STREAM on the headers) that
 * carries a local error. `extra` are additional fields (e.g. x-weft-error); a caller-supplied
 * content-type is replaced, since a gRPC client rejects anything but application/grpc.
 */
export function grpcLocalReplyFields(grpcStatus: number, message: string, extra: readonly (readonly [string, string])[] = []): string[] {
  const list = [':status', '200', 'content-type', 'application/grpc', 'grpc-status', String(grpcStatus)];
  if (message.length > 0) list.push('grpc-message', encodeGrpcMessage(message));
  for (const [k, v] of extra) {
    const n = k.toLowerCase();
    if (n === 'content-type' || n === 'content-length' || n === ':status' || n === 'grpc-status' || n === 'grpc-message') continue;
    list.push(n, v);
  }
  return list;
}
