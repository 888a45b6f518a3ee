// fault: chaos experiments. For requests matching the scope (headers, path prefix), delays X % of them
// by Y ms (a timer on the root context resumes them; nothing blocks) and aborts X % with a status.
// See ../README.md.
export * from "@weft/sdk/assembly/exports";
import {
  Action, Counter, Gauge, HeaderPair, HttpContext, JsonKind, LogLevel, RootContext, log, monotonicNanos, randomF64,
  registerRootContext,
} from "@weft/sdk/assembly";

class HeaderMatch {
  /** `value` "*" means: present with any value. */
  constructor(readonly name: string, readonly value: string) {}
}

class Delayed {
  constructor(readonly ctx: FaultFilter, readonly due: f64) {}
}

function nowMs(): f64 {
  return <f64>monotonicNanos() / 1e6;
}

class FaultRoot extends RootContext {
  headers: Array<HeaderMatch> = [];
  pathPrefix: string = "";
  abortPercent: f64 = 0;
  abortStatus: u32 = 503;
  abortBody: string = "fault injected\n";
  abortGrpcStatus: i64 = -1;
  delayPercent: f64 = 0;
  delayMs: f64 = 0;
  maxActiveDelays: i32 = 1000;
  delayed: Array<Delayed> = [];
  aborts: Counter | null = null;
  delays: Counter | null = null;
  active: Gauge | null = null;

  private fail(message: string): bool {
    log(LogLevel.Error, "fault: " + message);
    return false;
  }

  onConfigure(size: usize): bool {
    const parsed = this.pluginConfigurationJson();
    if (!parsed.ok) return this.fail("configuration is not JSON: " + parsed.error);
    const o = parsed.object();
    const match = o.getObject("match");
    this.headers = [];
    this.pathPrefix = "";
    if (match !== null) {
      const hs = match.getObject("headers");
      if (hs !== null) {
        for (let i = 0; i < hs.keys.length; i++) {
          const k = unchecked(hs.keys[i]);
          const v = hs.get(k)!;
          if (v.kind != JsonKind.String) return this.fail("match.headers maps header names to values (\"*\": any value)");
          this.headers.push(new HeaderMatch(k.toLowerCase(), v.asString()));
        }
      }
      this.pathPrefix = match.getString("path_prefix", "");
    }
    const abort = o.getObject("abort");
    this.abortPercent = 0;
    if (abort !== null) {
      this.abortPercent = abort.getNumber("percentage", -1);
      const status = abort.getInteger("status", 503);
      if (status < 200 || status > 599) return this.fail("abort.status must be an HTTP status");
      this.abortStatus = <u32>status;
      this.abortBody = abort.getString("body", "fault injected\n");
      this.abortGrpcStatus = abort.getInteger("grpc_status", -1);
      if (this.abortGrpcStatus < -1 || this.abortGrpcStatus > 16) return this.fail("abort.grpc_status must be a gRPC status (0-16)");
    }
    const delay = o.getObject("delay");
    this.delayPercent = 0;
    if (delay !== null) {
      this.delayPercent = delay.getNumber("percentage", -1);
      this.delayMs = <f64>delay.getInteger("duration_ms", 0);
      if (this.delayMs < 1 || this.delayMs > 3600000) return this.fail("delay.duration_ms must be within 1..3600000");
    }
    if (!(this.abortPercent >= 0 && this.abortPercent <= 100) || !(this.delayPercent >= 0 && this.delayPercent <= 100)) {
      return this.fail("percentage must be within 0..100");
    }
    if (abort === null && delay === null) return this.fail("configure abort, delay or both");
    const max = o.getInteger("max_active_delays", 1000);
    if (max < 0 || max > 1000000) return this.fail("max_active_delays must be within 0..1000000");
    this.maxActiveDelays = <i32>max;
    this.aborts = new Counter("fault_aborts_total");
    this.delays = new Counter("fault_delays_total");
    this.active = new Gauge("fault_active_delays");
    return true;
  }

  /** Holds `ctx` for the configured delay. */
  delay(ctx: FaultFilter): void {
    this.delayed.push(new Delayed(ctx, nowMs() + this.delayMs));
    this.reschedule();
  }

  /** Forgets `ctx` (it ended while delayed). */
  forget(ctx: FaultFilter): void {
    for (let i = 0; i < this.delayed.length; i++) {
      if (unchecked(this.delayed[i]).ctx === ctx) {
        this.delayed.splice(i, 1);
        this.reschedule();
        return;
      }
    }
  }

  /** The timer fires when the earliest delay ends (a tick period is reset each time). */
  private reschedule(): void {
    const g = this.active;
    if (g !== null) g.set(this.delayed.length);
    if (this.delayed.length == 0) {
      this.setTickPeriod(0);
      return;
    }
    let earliest = unchecked(this.delayed[0]).due;
    for (let i = 1; i < this.delayed.length; i++) earliest = Math.min(earliest, unchecked(this.delayed[i]).due);
    const wait = Math.max(1, Math.ceil(earliest - nowMs()));
    this.setTickPeriod(<u32>wait);
  }

  onTick(): void {
    const now = nowMs();
    const due = new Array<FaultFilter>();
    const waiting = new Array<Delayed>();
    for (let i = 0; i < this.delayed.length; i++) {
      const d = unchecked(this.delayed[i]);
      if (d.due <= now + 0.5) due.push(d.ctx);
      else waiting.push(d);
    }
    this.delayed = waiting;
    this.reschedule();
    for (let i = 0; i < due.length; i++) unchecked(due[i]).afterDelay();
  }

  matches(ctx: FaultFilter): bool {
    const h = ctx.requestHeaders;
    for (let i = 0; i < this.headers.length; i++) {
      const m = unchecked(this.headers[i]);
      const v = h.get(m.name);
      if (v === null || (m.value != "*" && v != m.value)) return false;
    }
    if (this.pathPrefix != "") {
      const p = h.get(":path");
      if (p === null || !p.startsWith(this.pathPrefix)) return false;
    }
    return true;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new FaultFilter(contextId, this);
  }
}

class FaultFilter extends HttpContext {
  abortAfterDelay: bool = false;
  waiting: bool = false;

  constructor(id: u32, readonly cfg: FaultRoot) {
    super(id, cfg);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const cfg = this.cfg;
    if (!cfg.matches(this)) return Action.Continue;
    // Two draws per matching request, delay first: a request may be delayed, then aborted.
    const delay = cfg.delayPercent > 0 && randomF64() * 100 < cfg.delayPercent;
    const abort = cfg.abortPercent > 0 && randomF64() * 100 < cfg.abortPercent;
    if (delay && cfg.delayed.length < cfg.maxActiveDelays) {
      this.abortAfterDelay = abort;
      this.waiting = true;
      const c = cfg.delays;
      if (c !== null) c.increment();
      cfg.delay(this);
      return Action.Pause;
    }
    if (abort) return this.abort();
    return Action.Continue;
  }

  afterDelay(): void {
    this.waiting = false;
    if (this.abortAfterDelay) this.abort();
    else this.resumeRequest();
  }

  private abort(): Action {
    const cfg = this.cfg;
    const c = cfg.aborts;
    if (c !== null) c.increment();
    const headers = [new HeaderPair("content-type", "text/plain"), new HeaderPair("x-weft-fault", "abort")];
    if (cfg.abortGrpcStatus >= 0) this.sendLocalResponse(cfg.abortStatus, String.UTF8.encode(cfg.abortBody), headers, "fault_abort", <u32>cfg.abortGrpcStatus);
    else this.sendLocalResponse(cfg.abortStatus, String.UTF8.encode(cfg.abortBody), headers, "fault_abort");
    return Action.Pause;
  }

  onDone(): bool {
    if (this.waiting) {
      this.waiting = false;
      this.cfg.forget(this);
    }
    return true;
  }
}

registerRootContext((id: u32): RootContext => new FaultRoot(id), "");
