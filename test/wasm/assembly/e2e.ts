// The end-to-end tests' filter, written with Weft's SDK; each plugin picks a behaviour with {"mode": …} in its configuration.
//   body   request body: "ping" -> "pong" (buffered whole); response body upper-cased
//   local  /deny/* answered 403 by the filter (header x-denied-by, text body); others pass
//   delay  holds each request `delay_ms` on the root context's timer, then resumes it
//   trap   traps (unreachable) on a request with x-trap; marks others with x-trap-plugin: alive
//   spin   loops forever on a request with x-spin; marks others with x-spin-plugin: alive
//   grow   memory.grow(x-grow pages) in the callback; the result goes to the response as x-grow-result
//   count  counts requests in counter e2e_requests_total and records path lengths in a histogram
//   shared increments shared-data key "hits" (created at configure) with compare-and-swap; the response gets the new value
//          as x-count and the environment variable WEFT_WORKER_ID (allowlisted) as x-worker
//   grpc   pauses the request, calls test.Echo/Say on cluster "grpc" with the x-msg header as the
//          message and metadata x-from: wasm; the reply resumes the request as x-grpc-reply, a
//          failure answers 502 with the gRPC status in x-grpc-status
//   grpc-stream  pauses the request and opens a stream to test.Echo/Chat on cluster x-cluster (default
//          "grpc") with metadata x-from: wasm and x-mode: <x-mode>; sends each part of x-msgs (split on
//          ","), half-closing with end_of_stream on the last (x-how: end, the default) or with
//          proxy_grpc_close after it (x-how: close). On close with OK it resumes the request with
//          x-grpc-replies (joined by ","), x-grpc-initial / x-grpc-trailing (metadata x-init / x-trail),
//          x-grpc-trailing-status (grpc-status read from the trailing metadata), x-grpc-status,
//          x-grpc-events (callback order, initial(<number of metadata elements>)) and x-grpc-stray; on an error status it answers 502 with the
//          same headers. x-how: cancel sends one message without ending, cancels the stream
//          (proxy_grpc_cancel) on the first reply and resumes with what it had. x-grpc-stray counts
//          callbacks that reached a stream after it was cancelled (0 unless the host is wrong).
//   tcp    (network filter) client bytes: "ping" -> "PONG" before the upstream; upstream bytes get
//          "[w]" in front; counts closes by side in tcp_closed_total / tcp_upstream_closed_total
export * from "@weft/sdk/assembly/exports";
import { grpcCancel } from "@weft/sdk/assembly/hostcalls/callouts";
import {
  Action, Context, Counter, GrpcCallback, HeaderPair, Histogram, HttpContext, LogLevel, PeerType, RootContext, Status, TcpContext,
  getEnv, getSharedData, log, registerRootContext, setSharedData,
} from "@weft/sdk/assembly";

class E2eRoot extends RootContext {
  mode: string = "";
  delayMs: u32 = 50;
  pending: Array<E2e> = [];
  requests: Counter | null = null;
  sizes: Histogram | null = null;
  downstreamClosed: Counter | null = null;
  upstreamClosed: Counter | null = null;
  strayGrpcEvents: u32 = 0;

  onConfigure(size: usize): bool {
    const cfg = this.pluginConfigurationJson();
    if (!cfg.ok) {
      log(LogLevel.Error, "e2e: invalid configuration: " + cfg.error);
      return false;
    }
    const o = cfg.object();
    this.mode = o.getString("mode", "");
    this.delayMs = <u32>o.getInteger("delay_ms", 50);
    if (this.mode == "shared" && getSharedData("hits").status == Status.NotFound) {
      // Create the key before any request: a set with cas 0 is unconditional (as on Envoy), so two
      // workers creating it from their first requests at once would both write 1.
      setSharedData("hits", new ArrayBuffer(8), 0);
    }
    if (this.mode == "tcp") {
      this.downstreamClosed = new Counter("tcp_closed_total");
      this.upstreamClosed = new Counter("tcp_upstream_closed_total");
    }
    if (this.mode == "count") {
      this.requests = new Counter("e2e_requests_total");
      this.sizes = new Histogram("e2e_request_path_bytes");
    }
    return true;
  }

  onTick(): void {
    const waiting = this.pending;
    this.pending = [];
    this.setTickPeriod(0);
    for (let i = 0; i < waiting.length; i++) {
      waiting[i].requestHeaders.set("x-delayed-ms", this.delayMs.toString());
      waiting[i].resumeRequest();
    }
  }

  // A context id does not say whether it is an HTTP stream or a TCP connection: the SDK asks for
  // an HTTP context first, so a TCP plugin must decline it.
  createHttpContext(contextId: u32): HttpContext | null {
    return this.mode == "tcp" ? null : new E2e(contextId, this);
  }

  createTcpContext(contextId: u32): TcpContext | null {
    return new E2eTcp(contextId, this);
  }
}

class E2eTcp extends TcpContext {
  constructor(id: u32, readonly cfg: E2eRoot) {
    super(id, cfg);
  }

  onDownstreamData(dataSize: usize, endOfStream: bool): Action {
    const data = this.downstreamData.getString(0, dataSize);
    if (data !== null && data.includes("ping")) this.downstreamData.replaceString(data.replaceAll("ping", "PONG"));
    return Action.Continue;
  }

  onUpstreamData(dataSize: usize, endOfStream: bool): Action {
    if (dataSize > 0) this.upstreamData.prependString("[w]");
    return Action.Continue;
  }

  onDownstreamClose(peer: PeerType): void {
    const c = this.cfg.downstreamClosed;
    if (c !== null) c.increment();
  }

  onUpstreamClose(peer: PeerType): void {
    const c = this.cfg.upstreamClosed;
    if (c !== null) c.increment();
  }
}

/** Adds one to the u64 at `key` in shared data (compare-and-swap, retried); the new value, or 0 when the host refused. */
function incrementShared(key: string): u64 {
  for (let attempt = 0; attempt < 100; attempt++) {
    const cur = getSharedData(key);
    if (cur.status != Status.Ok && cur.status != Status.NotFound) return 0;
    const value = cur.value;
    const n: u64 = value !== null && value.byteLength == 8 ? load<u64>(changetype<usize>(value)) : 0;
    const next = new ArrayBuffer(8);
    store<u64>(changetype<usize>(next), n + 1);
    const s = setSharedData(key, next, cur.cas);
    if (s == Status.Ok) return n + 1;
    if (s != Status.CasMismatch) return 0;
  }
  return 0;
}

function spinForever(seed: i32): i32 {
  let x = seed;
  while (x != 0) x = (x * 1103515245 + 12345) | 1;
  return x;
}

class EchoReply extends GrpcCallback {
  constructor(readonly ctx: E2e) {
    super();
  }

  onMessage(messageSize: usize): void {
    const m = this.message(messageSize);
    this.ctx.requestHeaders.set("x-grpc-reply", m === null ? "(none)" : String.UTF8.decode(m));
    this.ctx.resumeRequest();
  }

  onClose(statusCode: u32): void {
    this.ctx.sendLocalResponse(502, String.UTF8.encode("grpc call failed: " + this.statusMessage() + "\n"), [new HeaderPair("x-grpc-status", statusCode.toString())]);
  }
}

/** One bidi stream of mode grpc-stream: records what arrives and, at the end, resumes or answers the request. */
class Chat extends GrpcCallback {
  replies: Array<string> = [];
  events: Array<string> = [];
  initial: string = "";
  trailing: string = "";
  trailingStatus: string = "";
  cancelled: bool = false;

  constructor(readonly ctx: E2e, readonly how: string) {
    super();
  }

  /** False (and counted) for a callback of a stream this filter cancelled. */
  live(): bool {
    if (!this.cancelled) return true;
    this.ctx.cfg.strayGrpcEvents++;
    return false;
  }

  onInitialMetadata(numElements: u32): void {
    if (!this.live()) return;
    this.events.push("initial(" + numElements.toString() + ")");
    const v = this.initialMetadata.get("x-init");
    this.initial = v === null ? "" : v;
  }

  onMessage(messageSize: usize): void {
    if (!this.live()) return;
    this.events.push("message");
    const m = this.message(messageSize);
    this.replies.push(m === null ? "(none)" : String.UTF8.decode(m));
    if (this.how != "cancel") return;
    // The hostcall itself, not GrpcCallback.cancel(): this callback stays registered in the SDK so a
    // callback the host wrongly delivers after the cancel reaches live() and is counted.
    this.cancelled = true;
    const s = grpcCancel(this.callId);
    const h = this.ctx.requestHeaders;
    h.set("x-grpc-cancel", s.toString());
    const summary = this.summary();
    for (let i = 0; i < summary.length; i++) h.set(summary[i].name, summary[i].value);
    this.ctx.resumeRequest();
  }

  onTrailingMetadata(numElements: u32): void {
    if (!this.live()) return;
    this.events.push("trailing");
    const v = this.trailingMetadata.get("x-trail");
    this.trailing = v === null ? "" : v;
    const st = this.trailingMetadata.get("grpc-status");
    this.trailingStatus = st === null ? "" : st;
  }

  onClose(statusCode: u32): void {
    if (!this.live()) return;
    this.events.push("close:" + statusCode.toString());
    const summary = this.summary();
    summary.push(new HeaderPair("x-grpc-status", statusCode.toString()));
    if (statusCode == 0) {
      const h = this.ctx.requestHeaders;
      for (let i = 0; i < summary.length; i++) h.set(summary[i].name, summary[i].value);
      this.ctx.resumeRequest();
    } else {
      this.ctx.sendLocalResponse(502, String.UTF8.encode("grpc stream failed: " + this.statusMessage() + "\n"), summary);
    }
  }

  summary(): Array<HeaderPair> {
    return [
      new HeaderPair("x-grpc-replies", this.replies.join(",")),
      new HeaderPair("x-grpc-initial", this.initial),
      new HeaderPair("x-grpc-trailing", this.trailing),
      new HeaderPair("x-grpc-trailing-status", this.trailingStatus),
      new HeaderPair("x-grpc-events", this.events.join(",")),
      new HeaderPair("x-grpc-stray", this.ctx.cfg.strayGrpcEvents.toString()),
    ];
  }
}

class E2e extends HttpContext {
  grown: string = "";
  count: u64 = 0;

  constructor(id: u32, readonly cfg: E2eRoot) {
    super(id, cfg);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const mode = this.cfg.mode;
    if (mode == "body") {
      if (!endOfStream) this.requestHeaders.remove("content-length");
    } else if (mode == "local") {
      const path = this.requestHeaders.get(":path");
      if (path !== null && path.startsWith("/deny")) {
        this.sendLocalResponse(403, String.UTF8.encode("denied by wasm\n"), [new HeaderPair("x-denied-by", "e2e"), new HeaderPair("content-type", "text/plain")]);
        return Action.Pause;
      }
    } else if (mode == "delay") {
      this.cfg.pending.push(this);
      if (this.cfg.pending.length == 1) this.cfg.setTickPeriod(this.cfg.delayMs);
      return Action.Pause;
    } else if (mode == "trap") {
      if (this.requestHeaders.has("x-trap")) unreachable();
      this.requestHeaders.set("x-trap-plugin", "alive");
    } else if (mode == "spin") {
      if (this.requestHeaders.has("x-spin")) this.requestHeaders.set("x-spun", spinForever(7).toString());
      this.requestHeaders.set("x-spin-plugin", "alive");
    } else if (mode == "grow") {
      const pages = this.requestHeaders.get("x-grow");
      if (pages !== null) this.grown = memory.grow(I32.parseInt(pages)).toString();
    } else if (mode == "grpc") {
      const msg = this.requestHeaders.get("x-msg");
      const s = this.grpcCall("grpc", "test.Echo", "Say", [new HeaderPair("x-from", "wasm")], String.UTF8.encode(msg !== null ? msg : ""), 2000, new EchoReply(this));
      if (s != Status.Ok) {
        this.sendResponse(500, "grpc call not made: " + s.toString() + "\n");
      }
      return Action.Pause;
    } else if (mode == "grpc-stream") {
      return this.openChat();
    } else if (mode == "shared") {
      this.count = incrementShared("hits");
    } else if (mode == "count") {
      const c = this.cfg.requests;
      if (c !== null) c.increment();
      const path = this.requestHeaders.get(":path");
      const h = this.cfg.sizes;
      if (h !== null && path !== null) h.record(<u64>path.length);
    }
    return Action.Continue;
  }

  openChat(): Action {
    const cluster = this.requestHeaders.get("x-cluster");
    const serverMode = this.requestHeaders.get("x-mode");
    const msgs = this.requestHeaders.get("x-msgs");
    const howHeader = this.requestHeaders.get("x-how");
    const how = howHeader === null ? "end" : howHeader;
    const chat = new Chat(this, how);
    const metadata = [new HeaderPair("x-from", "wasm"), new HeaderPair("x-mode", serverMode === null ? "echo" : serverMode)];
    // A cancelled stream is opened on the root context, which outlives the request: a callback the
    // host delivered for it after the request ended would still reach the SDK's dispatcher.
    const opener: Context = how == "cancel" ? changetype<Context>(this.cfg) : changetype<Context>(this);
    const s = opener.grpcStream(cluster === null ? "grpc" : cluster, "test.Echo", "Chat", metadata, chat);
    if (s != Status.Ok) {
      this.sendResponse(500, "grpc stream not opened: " + s.toString() + "\n");
      return Action.Pause;
    }
    const parts = msgs === null ? new Array<string>() : msgs.split(",");
    const count = how == "cancel" ? min(parts.length, 1) : parts.length;
    for (let i = 0; i < count; i++) {
      const sent = chat.send(String.UTF8.encode(parts[i]), how == "end" && i == count - 1);
      if (sent != Status.Ok) log(LogLevel.Error, "e2e: grpc send: " + sent.toString());
    }
    if (how == "close") {
      const closed = chat.close();
      if (closed != Status.Ok) log(LogLevel.Error, "e2e: grpc close: " + closed.toString());
    }
    return Action.Pause;
  }

  onRequestBody(bodySize: usize, endOfStream: bool): Action {
    if (this.cfg.mode != "body") return Action.Continue;
    if (!endOfStream) return Action.Pause;
    const body = this.requestBody.getString(0, bodySize);
    if (body !== null) this.requestBody.replaceString(body.replaceAll("ping", "pong"));
    return Action.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    if (this.cfg.mode == "body" && !endOfStream) this.responseHeaders.remove("content-length");
    if (this.cfg.mode == "grow" && this.grown != "") this.responseHeaders.set("x-grow-result", this.grown);
    if (this.cfg.mode == "shared") {
      this.responseHeaders.set("x-count", this.count.toString());
      const worker = getEnv("WEFT_WORKER_ID");
      this.responseHeaders.set("x-worker", worker !== null ? worker : "none");
    }
    return Action.Continue;
  }

  onResponseBody(bodySize: usize, endOfStream: bool): Action {
    if (this.cfg.mode != "body") return Action.Continue;
    if (!endOfStream) return Action.Pause;
    const body = this.responseBody.getString(0, bodySize);
    if (body !== null) this.responseBody.replaceString(body.toUpperCase());
    return Action.Continue;
  }
}

registerRootContext((id: u32): RootContext => new E2eRoot(id), "");

