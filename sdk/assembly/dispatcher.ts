// Layer 2: routes each host callback by context id to the root, HTTP or TCP context object.
// Unknown ids are answered with the harmless default (Continue, true) instead of a trap.
import { Action, LogLevel, PeerType } from "./abi/enums";
import { HttpCallResponse } from "./callout-http";
import { findGrpcCall, removeGrpcCall, takeHttpCall } from "./callout-registry";
import { Context } from "./context";
import { HttpContext } from "./context-http";
import { RootContext } from "./context-root";
import { TcpContext } from "./context-tcp";
import { makeEffective } from "./effective";
import { getProperty } from "./hostcalls/properties";
import { log } from "./hostcalls/system";

class RootFactory {
  constructor(public rootId: string, public create: (contextId: u32) => RootContext) {}
}

const factories: Array<RootFactory> = [];
const roots = new Map<u32, RootContext>();
const https = new Map<u32, HttpContext>();
const tcps = new Map<u32, TcpContext>();

/**
 * Registers how to create the root context for `rootId` (the host's plugin `root_id`). Call it at
 * the top level of your filter module. With one registration it serves every root id; with
 * several, the SDK picks by the host property `plugin_root_id`, falling back to the "" one.
 *
 * @example
 * registerRootContext((id: u32): RootContext => new MyRoot(id), "my_filter");
 */
export function registerRootContext(create: (contextId: u32) => RootContext, rootId: string = ""): void {
  for (let i = 0; i < factories.length; i++) {
    if (unchecked(factories[i]).rootId == rootId) {
      unchecked(factories[i]).create = create;
      return;
    }
  }
  factories.push(new RootFactory(rootId, create));
}

function pickFactory(): RootFactory | null {
  const n = factories.length;
  if (n == 0) return null;
  if (n == 1) return unchecked(factories[0]);
  const raw = getProperty(["plugin_root_id"]);
  const wanted = raw === null ? "" : String.UTF8.decode(raw);
  let fallback: RootFactory | null = null;
  for (let i = 0; i < n; i++) {
    const f = unchecked(factories[i]);
    if (f.rootId == wanted) return f;
    if (f.rootId == "") fallback = f;
  }
  return fallback;
}

/** The live root context `contextId`, or null. */
export function rootContext(contextId: u32): RootContext | null {
  return roots.has(contextId) ? roots.get(contextId) : null;
}

/** The live HTTP context `contextId`, or null. */
export function httpContext(contextId: u32): HttpContext | null {
  return https.has(contextId) ? https.get(contextId) : null;
}

/** The live TCP context `contextId`, or null. */
export function tcpContext(contextId: u32): TcpContext | null {
  return tcps.has(contextId) ? tcps.get(contextId) : null;
}

/** Any live context `contextId`, or null. */
export function anyContext(contextId: u32): Context | null {
  if (https.has(contextId)) return https.get(contextId);
  if (tcps.has(contextId)) return tcps.get(contextId);
  if (roots.has(contextId)) return roots.get(contextId);
  return null;
}

/** Number of live contexts of each kind, for tests and leak checks: roots, HTTP, TCP. */
export function liveContexts(): StaticArray<i32> {
  return [roots.size, https.size, tcps.size];
}

export function onContextCreate(contextId: u32, parentContextId: u32): void {
  if (parentContextId == 0) {
    const f = pickFactory();
    let root: RootContext;
    if (f === null) {
      log(LogLevel.Warn, "weft-sdk: no root context registered; the plugin does nothing");
      root = new RootContext(contextId);
    } else {
      root = f.create(contextId);
      root.rootId = f.rootId;
    }
    roots.set(contextId, root);
    return;
  }
  if (!roots.has(parentContextId)) {
    log(LogLevel.Warn, "weft-sdk: stream context " + contextId.toString() + " has unknown root " + parentContextId.toString());
    return;
  }
  const root = roots.get(parentContextId);
  const http = root.createHttpContext(contextId);
  if (http !== null) {
    https.set(contextId, http);
    return;
  }
  const tcp = root.createTcpContext(contextId);
  if (tcp !== null) tcps.set(contextId, tcp);
}

export function onDone(contextId: u32): bool {
  const c = anyContext(contextId);
  return c === null ? true : c.onDone();
}

export function onLog(contextId: u32): void {
  const c = anyContext(contextId);
  if (c !== null) c.onLog();
}

export function onDelete(contextId: u32): void {
  const c = anyContext(contextId);
  if (c === null) return;
  c.onDelete();
  if (!https.delete(contextId) && !tcps.delete(contextId)) roots.delete(contextId);
}

export function onVmStart(contextId: u32, size: usize): bool {
  const r = rootContext(contextId);
  if (r === null) return true;
  r.vmConfigurationSize = size;
  return r.onVmStart(size);
}

export function onConfigure(contextId: u32, size: usize): bool {
  const r = rootContext(contextId);
  if (r === null) return true;
  r.pluginConfigurationSize = size;
  return r.onConfigure(size);
}

export function onTick(contextId: u32): void {
  const r = rootContext(contextId);
  if (r !== null) r.onTick();
}

export function onQueueReady(contextId: u32, queueId: u32): void {
  const r = rootContext(contextId);
  if (r !== null) r.onQueueReady(queueId);
}

export function onForeignFunction(contextId: u32, functionId: u32, size: usize): void {
  const r = rootContext(contextId);
  if (r !== null) r.onForeignFunction(functionId, size);
}

// ---- HTTP streams

export function onRequestHeaders(contextId: u32, numHeaders: u32, endOfStream: bool): Action {
  const c = httpContext(contextId);
  return c === null ? Action.Continue : c.onRequestHeaders(numHeaders, endOfStream);
}

export function onRequestBody(contextId: u32, bodySize: usize, endOfStream: bool): Action {
  const c = httpContext(contextId);
  return c === null ? Action.Continue : c.onRequestBody(bodySize, endOfStream);
}

export function onRequestTrailers(contextId: u32, numTrailers: u32): Action {
  const c = httpContext(contextId);
  return c === null ? Action.Continue : c.onRequestTrailers(numTrailers);
}

export function onResponseHeaders(contextId: u32, numHeaders: u32, endOfStream: bool): Action {
  const c = httpContext(contextId);
  return c === null ? Action.Continue : c.onResponseHeaders(numHeaders, endOfStream);
}

export function onResponseBody(contextId: u32, bodySize: usize, endOfStream: bool): Action {
  const c = httpContext(contextId);
  return c === null ? Action.Continue : c.onResponseBody(bodySize, endOfStream);
}

export function onResponseTrailers(contextId: u32, numTrailers: u32): Action {
  const c = httpContext(contextId);
  return c === null ? Action.Continue : c.onResponseTrailers(numTrailers);
}

// ---- TCP streams

export function onNewConnection(contextId: u32): Action {
  const c = tcpContext(contextId);
  return c === null ? Action.Continue : c.onNewConnection();
}

export function onDownstreamData(contextId: u32, size: usize, endOfStream: bool): Action {
  const c = tcpContext(contextId);
  return c === null ? Action.Continue : c.onDownstreamData(size, endOfStream);
}

export function onDownstreamClose(contextId: u32, peer: PeerType): void {
  const c = tcpContext(contextId);
  if (c !== null) c.onDownstreamClose(peer);
}

export function onUpstreamData(contextId: u32, size: usize, endOfStream: bool): Action {
  const c = tcpContext(contextId);
  return c === null ? Action.Continue : c.onUpstreamData(size, endOfStream);
}

export function onUpstreamClose(contextId: u32, peer: PeerType): void {
  const c = tcpContext(contextId);
  if (c !== null) c.onUpstreamClose(peer);
}

// ---- Callouts: delivered to the callback of the context that made the call, made effective first
// (hosts differ in which context id they pass; Envoy and Weft pass the root's).

export function onHttpCallResponse(callId: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {
  const e = takeHttpCall(callId);
  if (e === null) return;
  if (anyContext(e.contextId) === null) return;
  makeEffective(e.contextId);
  e.callback.onResponse(new HttpCallResponse(callId, numHeaders, bodySize, numTrailers));
}

export function onGrpcInitialMetadata(callId: u32, numElements: u32): void {
  const e = findGrpcCall(callId);
  if (e === null || anyContext(e.contextId) === null) return;
  makeEffective(e.contextId);
  e.callback.onInitialMetadata(numElements);
}

export function onGrpcMessage(callId: u32, size: usize): void {
  const e = findGrpcCall(callId);
  if (e === null) return;
  if (!e.callback.streaming) removeGrpcCall(callId);
  if (anyContext(e.contextId) === null) return;
  makeEffective(e.contextId);
  e.callback.onMessage(size);
}

export function onGrpcTrailingMetadata(callId: u32, numElements: u32): void {
  const e = findGrpcCall(callId);
  if (e === null || anyContext(e.contextId) === null) return;
  makeEffective(e.contextId);
  e.callback.onTrailingMetadata(numElements);
}

export function onGrpcClose(callId: u32, statusCode: u32): void {
  const e = findGrpcCall(callId);
  if (e === null) return;
  removeGrpcCall(callId);
  if (anyContext(e.contextId) === null) return;
  makeEffective(e.contextId);
  e.callback.onClose(statusCode);
}
