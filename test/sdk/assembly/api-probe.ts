// Test-only filter that exercises the SDK API surface the examples do not, plus probe exports the
// tests call directly (JSON and header-pair parsing from raw bytes, aborts). Results go to proxy_log.
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, Gauge, GrpcCallback, HeaderPair, Histogram, HttpContext, LogLevel, RootContext, SharedQueue,
  Status, callForeignFunction, getEnv, getProperty, getPropertyBool, getPropertyI64, getPropertyMap,
  getPropertyString, getSharedData, lastStatus, liveContexts, log, monotonicNanos, nowNanos, parseJsonBytes,
  parsePairs, pendingCallouts, propertyPath, randomBytes, randomF64, registerRootContext, serializePairs,
  setPropertyString, setSharedDataString,
} from "@weft/sdk/assembly";
import { enterCallback, leaveCallback } from "@weft/sdk/assembly/effective";
import { anyContext } from "@weft/sdk/assembly/dispatcher";

function say(message: string): void {
  log(LogLevel.Info, message);
}

class Events extends GrpcCallback {
  constructor(readonly label: string) {
    super();
  }
  onInitialMetadata(n: u32): void {
    const v = this.initialMetadata.get("x-md");
    say(this.label + " initial " + n.toString() + " " + (v === null ? "-" : v));
  }
  onMessage(size: usize): void {
    const m = this.message(size);
    say(this.label + " message " + (m === null ? "-" : String.UTF8.decode(m)));
  }
  onTrailingMetadata(n: u32): void {
    say(this.label + " trailing " + n.toString());
  }
  onClose(code: u32): void {
    say(this.label + " close " + code.toString() + " " + this.statusMessage());
  }
}

class ProbeRoot extends RootContext {
  queue: SharedQueue | null = null;
  stream: Events | null = null;

  onVmStart(size: usize): bool {
    const vm = this.vmConfigurationJson();
    return vm.ok && vm.object().getBool("start", true);
  }
  onConfigure(size: usize): bool {
    say("configure " + this.rootId + " " + this.pluginConfigurationString());
    return true;
  }
  onQueueReady(queueId: u32): void {
    const q = new SharedQueue(queueId);
    let item = q.dequeueString();
    while (item !== null) {
      say("dequeued " + item);
      item = q.dequeueString();
    }
    say("queue drained " + lastStatus().toString());
  }
  createHttpContext(contextId: u32): HttpContext | null {
    return new ProbeHttp(contextId, this);
  }
}

class OtherRoot extends RootContext {
  onConfigure(size: usize): bool {
    say("configure other " + this.rootId);
    return true;
  }
}

class ProbeHttp extends HttpContext {
  defer: bool = false;

  onRequestHeaders(n: u32, endOfStream: bool): Action {
    const pairs = this.requestHeaders.pairs();
    if (pairs === null) return Action.Continue;
    say("pairs " + pairs.length.toString());
    if (this.requestHeaders.has("x-replace")) {
      this.requestHeaders.setPairs([new HeaderPair(":path", "/replaced"), new HeaderPair("x-ü", "ü✓")]);
    }
    this.defer = this.requestHeaders.has("x-defer");
    if (this.requestHeaders.has("x-props")) readProperties();
    if (this.requestHeaders.has("x-local")) {
      const s = this.sendResponse(418, "teapot", [new HeaderPair("x-local", "yes")]);
      // Written after the host re-entered the module: must land intact.
      this.requestHeaders.set("x-after-local", "intact-" + s.toString());
      return Action.Pause;
    }
    const missing = this.requestHeaders.get("x-missing");
    say("missing " + (missing === null ? "null" : missing) + " " + lastStatus().toString());
    return Action.Continue;
  }
  onResponseHeaders(n: u32, endOfStream: bool): Action {
    this.responseHeaders.add("x-response-seen", this.id.toString());
    return Action.Continue;
  }
  onDone(): bool {
    return !this.defer;
  }
  onLog(): void {
    const p = this.requestHeaders.get(":path");
    say("log " + this.id.toString() + " " + (p === null ? "-" : p));
  }
  onDelete(): void {
    say("delete " + this.id.toString());
  }
}

registerRootContext((id: u32): RootContext => new ProbeRoot(id), "probe");
registerRootContext((id: u32): RootContext => new OtherRoot(id), "other");

// ---- Probe exports, run as if they were host callbacks (so the SDK's collection policy applies).

export function probe_finish(contextId: u32): u32 {
  const saved = enterCallback(0);
  const c = anyContext(contextId);
  const s = c === null ? Status.NotFound : c.done();
  leaveCallback(saved);
  return s;
}

export function probe_live(kind: i32): i32 {
  return liveContexts()[kind];
}

export function probe_pending(): i32 {
  return pendingCallouts();
}

export function probe_grpc(rootId: u32): void {
  const saved = enterCallback(rootId);
  const root = changetype<ProbeRoot>(anyContext(rootId));
  const s1 = root.grpcCall("users", "users.v1.Users", "Get", [new HeaderPair("x-tenant", "t1")],
    String.UTF8.encode("req"), 1000, new Events("call"));
  const events = new Events("stream");
  const s2 = root.grpcStream("events", "events.v1.Events", "Watch", null, events);
  root.stream = events;
  const s3 = events.send(String.UTF8.encode("hello"), false);
  say("grpc " + s1.toString() + " " + s2.toString() + " " + s3.toString() + " " + events.callId.toString());
  leaveCallback(saved);
}

export function probe_grpc_cancel(rootId: u32): u32 {
  const saved = enterCallback(rootId);
  const root = changetype<ProbeRoot>(anyContext(rootId));
  const s = root.stream!.cancel();
  leaveCallback(saved);
  return s;
}

export function probe_queue(): void {
  const saved = enterCallback(0);
  const q = SharedQueue.register("jobs");
  if (q === null) return;
  const again = SharedQueue.resolve("vm", "jobs");
  const none = SharedQueue.resolve("vm", "nope");
  say("queue " + (again !== null && again.id == q.id ? "same" : "different") + " " + (none === null ? "none" : "some") + " " + lastStatus().toString());
  q.enqueueString("a");
  q.enqueueString("b");
  leaveCallback(saved);
}

export function probe_properties(): void {
  const saved = enterCallback(0);
  readProperties();
  leaveCallback(saved);
}

/** Logs typed property reads: request path, size, mTLS, headers map, a missing one, a size mismatch; sets one. */
function readProperties(): void {
  say("path " + getPropertyString(["request", "path"], "?"));
  say("size " + getPropertyI64(propertyPath("request.size"), -1).toString());
  say("mtls " + (getPropertyBool(["connection", "mtls"], false) ? "true" : "false"));
  const headers = getPropertyMap(["request", "headers"]);
  say("map " + (headers === null ? "null" : headers.length.toString() + " " + headers[0].name + "=" + headers[0].value));
  const missing = getProperty(["no", "such"]);
  say("missing " + (missing === null ? "null" : "some") + " " + lastStatus().toString());
  say("wrong size " + getPropertyI64(["request", "path"], 7).toString() + " " + lastStatus().toString());
  say("set " + setPropertyString(["filter_state", "tenant"], "acme").toString());
}

export function probe_system(): void {
  const saved = enterCallback(0);
  const region = getEnv("REGION");
  const missing = getEnv("MISSING");
  say("env " + (region === null ? "null" : region) + " " + (missing === null ? "null" : missing));
  const r = randomBytes(16);
  const f = randomF64();
  const m = Math.random();
  say("random " + (r === null ? "null" : r.byteLength.toString()) + " " + (f >= 0 && f < 1 ? "in" : "out") + " " + (m >= 0 && m < 1 ? "in" : "out"));
  const t1 = monotonicNanos();
  const t2 = monotonicNanos();
  say("clock " + (nowNanos() > 1600000000000000000 ? "epoch" : "bad") + " " + (t2 >= t1 && t1 > 0 ? "monotonic" : "bad"));
  const rev = callForeignFunction("reverse", String.UTF8.encode("abc"));
  const none = callForeignFunction("nope", new ArrayBuffer(0));
  say("ffi " + (rev === null ? "null" : String.UTF8.decode(rev)) + " " + (none === null ? "null" : "some") + " " + lastStatus().toString());
  console.log("console routed");
  leaveCallback(saved);
}

export function probe_shared_and_metrics(): void {
  const saved = enterCallback(0);
  const missing = getSharedData("nope");
  say("shared missing " + missing.status.toString() + " " + (missing.found ? "found" : "absent"));
  setSharedDataString("k", "v1");
  const cur = getSharedData("k");
  const stale = setSharedDataString("k", "v2", cur.cas + 1);
  const fresh = setSharedDataString("k", "v3", cur.cas);
  say("cas " + stale.toString() + " " + fresh.toString() + " " + getSharedData("k").string());
  const c = new Counter("c_total");
  const g = new Gauge("g");
  const h = new Histogram("h");
  c.increment(5);
  g.add(10);
  g.add(-3);
  h.record(42);
  say("metrics " + c.value().toString() + " " + g.value().toString() + " " + (c.defined && g.defined && h.defined ? "defined" : "undefined"));
  leaveCallback(saved);
}

/** Parses `size` bytes at `ptr` (host-allocated) as JSON; logs "ok:<json>" or "err:<message>@<offset>". */
export function probe_json(ptr: usize, size: usize): void {
  const saved = enterCallback(0);
  const bytes = new ArrayBuffer(<i32>size);
  memory.copy(changetype<usize>(bytes), ptr, size);
  heap.free(ptr);
  const r = parseJsonBytes(bytes);
  const v = r.value;
  say(v !== null ? "ok:" + v.toString() : "err:" + r.error + "@" + r.offset.toString());
  leaveCallback(saved);
}

/** Parses serialized pairs at `ptr`; logs "null" or the re-serialized bytes as hex. */
export function probe_pairs(ptr: usize, size: usize): void {
  const saved = enterCallback(0);
  const bytes = new ArrayBuffer(<i32>size);
  memory.copy(changetype<usize>(bytes), ptr, size);
  heap.free(ptr);
  const pairs = parsePairs(bytes);
  if (pairs === null) {
    say("null");
  } else {
    const out = Uint8Array.wrap(serializePairs(pairs));
    let hex = "";
    for (let i = 0; i < out.length; i++) hex += (<u32>out[i] < 16 ? "0" : "") + (<u32>out[i]).toString(16);
    say("pairs:" + pairs.length.toString() + ":" + hex);
  }
  leaveCallback(saved);
}

/** Fails an assertion: the SDK's abort logs where, then traps. */
export function probe_abort(n: i32): i32 {
  assert(n > 100, "n must be over 100");
  return n;
}

/** Traps in the filter's own code (no abort): the host maps the trap's offset to this line. */
export function probe_trap(n: i32): i32 {
  if (n < 0) unreachable();
  return n;
}
