// proxy_get_property / proxy_set_property: the well-known attributes, serialized as Envoy does.
import { Status } from './abi.js';
import { serializeBytePairs, serializePairs } from './pairs.js';
import type { HeaderMap } from '../http/header-map.js';
import type { ConnectionInfo, StreamInfo, TlsInfo } from '../http/stream-info.js';
import { HttpContext, type Context } from './context.js';

type Value = Uint8Array | undefined;

const str = (s: string | undefined): Value => (s === undefined ? undefined : Buffer.from(s, 'utf8'));
const raw = (s: string | undefined): Value => (s === undefined ? undefined : Buffer.from(s, 'latin1'));
const int = (n: number | bigint | undefined): Value => {
  if (n === undefined) return undefined;
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(typeof n === 'bigint' ? n : BigInt(Math.trunc(n)));
  return b;
};
const uint = (n: number | undefined): Value => {
  if (n === undefined) return undefined;
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(Math.trunc(n)));
  return b;
};
const bool = (v: boolean | undefined): Value => (v === undefined ? undefined : Uint8Array.of(v ? 1 : 0));
const map = (h: HeaderMap | undefined): Value => (h ? serializePairs(h.list) : undefined);
const nsFromMs = (ms: number): bigint => BigInt(Math.round(ms * 1e6));

/** A lazily built tree of property values: a function computes a leaf; an object is a map. */
type Node = (() => Value) | { readonly [k: string]: Node };

function headerOf(h: HeaderMap | undefined, name: string): string | undefined {
  return h?.get(name);
}

function pathOnly(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

function queryOf(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const q = path.indexOf('?');
  return q < 0 ? '' : path.slice(q + 1);
}

function tlsNodes(tls: () => TlsInfo | undefined, peer: boolean): Record<string, Node> {
  const cert = () => (peer ? tls()?.peerCertificate : tls()?.localCertificate);
  const side = peer ? 'peer' : 'local';
  return {
    [`subject_${side}_certificate`]: () => str(cert()?.subject),
    [`uri_san_${side}_certificate`]: () => str(cert()?.uriSans[0]),
    [`dns_san_${side}_certificate`]: () => str(cert()?.dnsSans[0]),
  };
}

function connectionNodes(conn: () => ConnectionInfo | undefined): Record<string, Node> {
  const tls = () => conn()?.tls;
  return {
    id: () => uint(conn()?.id),
    mtls: () => bool(conn() ? tls()?.peerVerified === true : undefined),
    requested_server_name: () => str(conn() ? (tls()?.serverName ?? '') : undefined),
    tls_version: () => str(tls()?.version),
    sha256_peer_certificate_digest: () => str(tls()?.peerCertificate?.fingerprint256?.replace(/:/g, '').toLowerCase()),
    ...tlsNodes(tls, true),
    ...tlsNodes(tls, false),
  };
}

function splitHostPort(addr: string | undefined): { host: string; port: number } | undefined {
  if (!addr) return undefined;
  const i = addr.lastIndexOf(':');
  if (i < 0) return { host: addr, port: 0 };
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(addr.slice(i + 1)) };
}

function fmtAddr(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function tree(ctx: Context): Record<string, Node> {
  const http = ctx instanceof HttpContext ? ctx : undefined;
  const info = (): StreamInfo | undefined => ctx.streamInfo();
  const conn = (): ConnectionInfo | undefined => ctx.connection();
  const reqH = () => (http ? (http.request.headers ?? http.callbacks.requestHeaders()) : undefined);
  const resH = () => (http ? (http.response.headers ?? http.callbacks.responseHeaders()) : undefined);
  const resT = () => (http ? (http.response.trailers ?? http.callbacks.responseTrailers()) : undefined);
  const plugin = ctx.root.plugin;
  const upstream = () => splitHostPort(info()?.upstreamAddress);
  const node = () => ctx.vm.host.node();
  const nodeTree: Node = {
    id: () => str(node()?.id),
    cluster: () => str(node()?.service),
    metadata: () => {
      const md = node()?.metadata;
      return md ? serializeBytePairs(Object.entries(md).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) : undefined;
    },
  };
  return {
    request: {
      path: () => raw(headerOf(reqH(), ':path')),
      url_path: () => raw(pathOnly(headerOf(reqH(), ':path'))),
      host: () => raw(headerOf(reqH(), ':authority')),
      scheme: () => raw(headerOf(reqH(), ':scheme')),
      method: () => raw(headerOf(reqH(), ':method')),
      headers: () => map(reqH()),
      referer: () => raw(headerOf(reqH(), 'referer')),
      useragent: () => raw(headerOf(reqH(), 'user-agent')),
      id: () => str(info()?.requestId ?? headerOf(reqH(), 'x-request-id')),
      time: () => (info() ? int(BigInt(Math.round(info()!.startTime)) * 1_000_000n) : undefined),
      protocol: () => str(info()?.protocol),
      query: () => raw(queryOf(headerOf(reqH(), ':path'))),
      duration: () => (info() ? int(ctx.vm.clock.monotonicNs() - nsFromMs(info()!.startMonotonic)) : undefined),
      size: () => int(info()?.requestBodyBytes),
      total_size: () => (info() ? int(info()!.requestBodyBytes + info()!.requestHeaderBytes) : undefined),
    },
    response: {
      code: () => {
        const s = info()?.responseCode ?? (resH()?.get(':status') !== undefined ? Number(resH()!.get(':status')) : undefined);
        return int(s);
      },
      code_details: () => str(info()?.responseCodeDetails),
      flags: () => (info() ? int(0) : undefined),
      grpc_status: () => {
        const g = resT()?.get('grpc-status') ?? resH()?.get('grpc-status');
        return g === undefined ? undefined : int(Number(g));
      },
      headers: () => map(resH()),
      trailers: () => map(resT()),
      size: () => int(info()?.responseBodyBytes),
      total_size: () => (info() ? int(info()!.responseBodyBytes + info()!.responseHeaderBytes) : undefined),
    },
    source: {
      address: () => (conn() ? str(fmtAddr(conn()!.remoteAddress, conn()!.remotePort)) : undefined),
      port: () => int(conn()?.remotePort),
    },
    destination: {
      address: () => (conn() ? str(fmtAddr(conn()!.localAddress, conn()!.localPort)) : undefined),
      port: () => int(conn()?.localPort),
    },
    connection: connectionNodes(conn),
    upstream: {
      address: () => str(info()?.upstreamAddress ?? (ctx as { callbacks?: { upstreamAddress?: () => string | undefined } }).callbacks?.upstreamAddress?.()),
      port: () => int(upstream()?.port),
      tls_version: () => str(info()?.upstreamTls?.version),
      ...tlsNodes(() => info()?.upstreamTls, true),
      ...tlsNodes(() => info()?.upstreamTls, false),
    },
    xds: {
      cluster_name: () => str(info()?.clusterName),
      route_name: () => str(info()?.routeName),
      listener_name: () => str(conn()?.listenerName),
      node: nodeTree,
    },
    node: nodeTree,
    cluster_name: () => str(info()?.clusterName),
    route_name: () => str(info()?.routeName),
    listener_name: () => str(conn()?.listenerName),
    plugin_name: () => str(plugin.name),
    plugin_root_id: () => str(plugin.rootId),
    plugin_vm_id: () => str(plugin.vmId),
  };
}

/** Serializes a map node: keys as strings, values as their serialized leaves (Envoy's nested maps). */
function serializeNode(n: Node): Value {
  if (typeof n === 'function') return n();
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (const [k, child] of Object.entries(n)) {
    const v = serializeNode(child);
    if (v !== undefined) pairs.push([Buffer.from(k), v]);
  }
  return serializeBytePairs(pairs);
}

/** Splits a proxy-wasm property path (segments separated by NUL; a trailing NUL is ignored). */
export function splitPath(path: Uint8Array): string[] {
  const s = Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString('utf8');
  const parts = s.split('\0');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

const FILTER_STATE_PREFIX = 'wasm.';

/** proxy_get_property: the value, or NotFound. */
export function getProperty(ctx: Context, path: Uint8Array): { status: Status; value?: Uint8Array } {
  const parts = splitPath(path);
  if (parts.length === 0 || parts[0] === '') return { status: Status.NotFound };
  const state = ctx.filterState();
  if (state) {
    const v = state.get(FILTER_STATE_PREFIX + parts.join('.'));
    if (v !== undefined) return { status: Status.Ok, value: v };
  }
  let node: Node | undefined = tree(ctx)[parts[0]!];
  for (let i = 1; i < parts.length && node !== undefined; i++) {
    if (typeof node === 'function') {
      // Descend into a header map leaf by header name (request.headers.<name>).
      if (i === parts.length - 1 && (parts[i - 1] === 'headers' || parts[i - 1] === 'trailers')) {
        return headerValue(ctx, parts.slice(0, i), parts[i]!);
      }
      return { status: Status.NotFound };
    }
    node = (node as Record<string, Node>)[parts[i]!];
  }
  if (node === undefined) return { status: Status.NotFound };
  const value = serializeNode(node);
  return value === undefined ? { status: Status.NotFound } : { status: Status.Ok, value };
}

function headerValue(ctx: Context, prefix: string[], name: string): { status: Status; value?: Uint8Array } {
  if (!(ctx instanceof HttpContext)) return { status: Status.NotFound };
  const which = prefix.join('.');
  const h =
    which === 'request.headers'
      ? (ctx.request.headers ?? ctx.callbacks.requestHeaders())
      : which === 'response.headers'
        ? (ctx.response.headers ?? ctx.callbacks.responseHeaders())
        : which === 'response.trailers'
          ? (ctx.response.trailers ?? ctx.callbacks.responseTrailers())
          : undefined;
  const v = h?.get(name.toLowerCase());
  return v === undefined ? { status: Status.NotFound } : { status: Status.Ok, value: Buffer.from(v, 'latin1') };
}

/** proxy_set_property: stored in the stream's filter state ("wasm.<path>"); NotFound outside a stream. */
export function setProperty(ctx: Context, path: Uint8Array, value: Uint8Array): Status {
  const state = ctx.filterState();
  if (!state) return Status.NotFound;
  const parts = splitPath(path);
  if (parts.length === 0 || parts[0] === '') return Status.BadArgument;
  state.set(FILTER_STATE_PREFIX + parts.join('.'), Uint8Array.from(value));
  return Status.Ok;
}
