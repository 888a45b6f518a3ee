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
//   tcp    (network filter) client bytes: "ping" -> "PONG" before the upstream; upstream bytes get
//          "[w]" in front; counts closes by side in tcp_closed_total / tcp_upstream_closed_total
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, GrpcCallback, HeaderPair, Histogram, HttpContext, LogLevel, PeerType, RootContext, Status, TcpContext,
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

