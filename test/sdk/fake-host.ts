// FAKE proxy-wasm host for SDK tests before the real host (proxy/wasm) exists: a small in-test import
// object with just enough state (header maps, buffers, shared data, queues, metrics, properties) to
// drive a filter built with the SDK and to record what it asked for. It is not the Weft host and
// makes no claim of conformance; phase 2 reruns these scenarios on the real host.

export type Pairs = [string, string][];

const enc = new TextEncoder();
const dec = new TextDecoder();

export const enum S {
  Ok = 0, NotFound = 1, BadArgument = 2, SerializationFailure = 3, Empty = 7, CasMismatch = 8,
}

export interface LocalResponse { context: number; status: number; details: string; body: string; headers: Pairs; grpcStatus: number }
export interface HttpCallRecord { context: number; id: number; upstream: string; headers: Pairs; body: string; trailers: Pairs; timeout: number }
export interface GrpcCallRecord { context: number; id: number; upstream: string; service: string; method: string; metadata: Pairs; message: Uint8Array | null; stream: boolean }

import { Wasm, type WasmImports, type WasmInstance, type WasmMemory } from './wasm-api.js';

interface StreamState { maps: Pairs[]; buffers: Uint8Array[] }

/** Serializes pairs as the spec defines. */
export function serializePairs(pairs: Pairs): Uint8Array {
  if (pairs.length === 0) return new Uint8Array(0);
  const parts = pairs.map(([k, v]) => [enc.encode(k), enc.encode(v)] as const);
  let size = 4 + 8 * parts.length;
  for (const [k, v] of parts) size += k.length + v.length + 2;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, parts.length, true);
  let at = 4 + 8 * parts.length;
  parts.forEach(([k, v], i) => {
    dv.setUint32(4 + 8 * i, k.length, true);
    dv.setUint32(8 + 8 * i, v.length, true);
    out.set(k, at);
    at += k.length + 1;
    out.set(v, at);
    at += v.length + 1;
  });
  return out;
}

/** Parses serialized pairs; throws on malformed input (a fake host may be strict). */
export function parsePairs(bytes: Uint8Array): Pairs {
  if (bytes.length <= 1) return [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true);
  let at = 4 + 8 * n;
  const out: Pairs = [];
  for (let i = 0; i < n; i++) {
    const k = dv.getUint32(4 + 8 * i, true);
    const v = dv.getUint32(8 + 8 * i, true);
    if (at + k + v + 2 > bytes.length) throw new Error('fake host: malformed pairs');
    out.push([dec.decode(bytes.subarray(at, at + k)), dec.decode(bytes.subarray(at + k + 1, at + k + 1 + v))]);
    at += k + v + 2;
  }
  return out;
}

export class FakeHost {
  instance!: WasmInstance;
  /** Every proxy_log call. */
  readonly logs: { level: number; message: string }[] = [];
  logLevel = 0;
  /** The context host calls act on: the callback's, or the last proxy_set_effective_context. */
  current = 0;
  readonly contexts = new Set<number>();
  readonly effectiveSwitches: number[] = [];
  readonly streams = new Map<number, StreamState>();
  /** Maps and buffers not tied to a stream: call responses, gRPC, configuration, FFI. */
  readonly globalMaps: Pairs[] = Array.from({ length: 8 }, () => []);
  readonly globalBuffers: Uint8Array[] = Array.from({ length: 9 }, () => new Uint8Array(0));
  readonly continued: { context: number; stream: number }[] = [];
  readonly closed: { context: number; stream: number }[] = [];
  readonly localResponses: LocalResponse[] = [];
  readonly httpCalls: HttpCallRecord[] = [];
  readonly grpcCalls: GrpcCallRecord[] = [];
  readonly grpcSent: { id: number; message: Uint8Array; end: boolean }[] = [];
  readonly grpcCancelled: number[] = [];
  readonly done: number[] = [];
  readonly tickPeriods = new Map<number, number>();
  readonly shared = new Map<string, { value: Uint8Array; cas: number }>();
  readonly queues = new Map<number, { name: string; items: Uint8Array[] }>();
  readonly metrics = new Map<number, { type: number; name: string; value: bigint }>();
  readonly properties = new Map<string, Uint8Array>();
  env: string[] = [];
  callStatus: { code: number; message: string } = { code: 0, message: '' };
  /** Called inside proxy_send_local_response, to model hosts that run response callbacks at once. */
  onLocalResponse: ((context: number) => void) | undefined;
  private nextId = 1;
  private nextCas = 1;

  get exports(): Record<string, (...args: number[]) => number> {
    return this.instance.exports as never;
  }

  private get mem(): Uint8Array {
    return new Uint8Array((this.instance.exports.memory as WasmMemory).buffer);
  }

  private get dv(): DataView {
    return new DataView((this.instance.exports.memory as WasmMemory).buffer);
  }

  /** Compiles and instantiates `wasm` against this fake host, then runs `_initialize`. */
  static async load(wasm: Uint8Array): Promise<FakeHost> {
    const host = new FakeHost();
    const { instance } = await Wasm.instantiate(wasm, host.imports());
    host.instance = instance;
    const init = instance.exports._initialize as (() => void) | undefined;
    if (init) init();
    return host;
  }

  read(ptr: number, size: number): Uint8Array {
    return this.mem.slice(ptr, ptr + size);
  }

  readString(ptr: number, size: number): string {
    return dec.decode(this.mem.subarray(ptr, ptr + size));
  }

  /** Copies `bytes` into guest memory allocated by the guest, and writes pointer and size out. */
  private give(bytes: Uint8Array, retPtr: number, retSize: number): number {
    const ptr = this.exports.proxy_on_memory_allocate!(bytes.length) >>> 0;
    if (ptr === 0 && bytes.length > 0) return S.BadArgument;
    this.mem.set(bytes, ptr);
    this.dv.setUint32(retPtr, ptr, true);
    this.dv.setUint32(retSize, bytes.length, true);
    return S.Ok;
  }

  stream(id: number): StreamState {
    let s = this.streams.get(id);
    if (!s) {
      s = { maps: [[], [], [], []], buffers: [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)] };
      this.streams.set(id, s);
    }
    return s;
  }

  private map(type: number): Pairs | undefined {
    if (type < 0 || type > 7) return undefined;
    return type <= 3 ? this.stream(this.current).maps[type] : this.globalMaps[type];
  }

  private setMap(type: number, pairs: Pairs): void {
    if (type <= 3) this.stream(this.current).maps[type] = pairs;
    else this.globalMaps[type] = pairs;
  }

  private buffer(type: number): Uint8Array | undefined {
    if (type < 0 || type > 8) return undefined;
    return type <= 3 ? this.stream(this.current).buffers[type] : this.globalBuffers[type];
  }

  private setBuffer(type: number, bytes: Uint8Array): void {
    if (type <= 3) this.stream(this.current).buffers[type] = bytes;
    else this.globalBuffers[type] = bytes;
  }

  /** Runs the export `name` as a callback of `context`. */
  call(name: string, context: number, ...args: number[]): number {
    const fn = this.exports[name];
    if (!fn) throw new Error(`module does not export ${name}`);
    const saved = this.current;
    this.current = context;
    try {
      return fn(context, ...args);
    } finally {
      this.current = saved;
    }
  }

  // ---- Driving helpers

  startRoot(id: number, pluginConfig = '', vmConfig = ''): { vmStart: number; configure: number } {
    this.contexts.add(id);
    this.call('proxy_on_context_create', id, 0);
    this.globalBuffers[6] = enc.encode(vmConfig);
    const vmStart = this.call('proxy_on_vm_start', id, this.globalBuffers[6].length);
    this.globalBuffers[7] = enc.encode(pluginConfig);
    const configure = this.call('proxy_on_configure', id, this.globalBuffers[7].length);
    return { vmStart, configure };
  }

  newStream(id: number, root: number): void {
    this.contexts.add(id);
    this.stream(id);
    this.call('proxy_on_context_create', id, root);
  }

  requestHeaders(id: number, headers: Pairs, endOfStream = false): number {
    this.stream(id).maps[0] = headers.slice();
    return this.call('proxy_on_request_headers', id, headers.length, endOfStream ? 1 : 0);
  }

  requestBody(id: number, chunk: string, endOfStream: boolean): number {
    const s = this.stream(id);
    s.buffers[0] = concat(s.buffers[0]!, enc.encode(chunk));
    return this.call('proxy_on_request_body', id, s.buffers[0].length, endOfStream ? 1 : 0);
  }

  responseHeaders(id: number, headers: Pairs, endOfStream = false): number {
    this.stream(id).maps[2] = headers.slice();
    return this.call('proxy_on_response_headers', id, headers.length, endOfStream ? 1 : 0);
  }

  responseBody(id: number, chunk: string, endOfStream: boolean): number {
    const s = this.stream(id);
    s.buffers[1] = concat(s.buffers[1]!, enc.encode(chunk));
    return this.call('proxy_on_response_body', id, s.buffers[1].length, endOfStream ? 1 : 0);
  }

  /** done → log → delete, as a host finishes a context (on_done returning false defers the rest). */
  finish(id: number): boolean {
    const completed = this.call('proxy_on_done', id) !== 0;
    if (!completed) return false;
    this.call('proxy_on_log', id);
    this.call('proxy_on_delete', id);
    this.contexts.delete(id);
    this.streams.delete(id);
    return true;
  }

  /** Delivers the response of an HTTP callout on the root context `root`. */
  httpCallResponse(root: number, callId: number, headers: Pairs, body: string, trailers: Pairs = []): void {
    this.globalMaps[6] = headers;
    this.globalBuffers[4] = enc.encode(body);
    this.globalMaps[7] = trailers;
    this.call('proxy_on_http_call_response', root, callId, headers.length, this.globalBuffers[4].length, trailers.length);
  }

  header(id: number, map: number, name: string): string | undefined {
    return this.stream(id).maps[map]!.find(([k]) => k === name)?.[1];
  }

  imports(): WasmImports {
    const h = this;
    const str = (p: number, n: number): string => h.readString(p, n);
    const env: Record<string, (...a: never[]) => number | void> = {
      proxy_log(level: number, p: number, n: number) {
        if (level < 0 || level > 5) return S.BadArgument;
        h.logs.push({ level, message: str(p, n) });
        return S.Ok;
      },
      proxy_get_log_level(ret: number) {
        h.dv.setUint32(ret, h.logLevel, true);
        return S.Ok;
      },
      proxy_set_effective_context(id: number) {
        if (!h.contexts.has(id)) return S.BadArgument;
        h.current = id;
        h.effectiveSwitches.push(id);
        return S.Ok;
      },
      proxy_done() {
        h.done.push(h.current);
        return S.Ok;
      },
      proxy_set_tick_period_milliseconds(ms: number) {
        h.tickPeriods.set(h.current, ms);
        return S.Ok;
      },
      proxy_get_current_time_nanoseconds(ret: number) {
        h.dv.setBigUint64(ret, process.hrtime.bigint(), true);
        return S.Ok;
      },
      proxy_get_header_map_value(type: number, kp: number, kn: number, rp: number, rn: number) {
        const m = h.map(type);
        if (!m) return S.BadArgument;
        const key = str(kp, kn);
        const found = m.find(([k]) => k === key);
        return found ? h.give(enc.encode(found[1]), rp, rn) : S.NotFound;
      },
      proxy_get_header_map_pairs(type: number, rp: number, rn: number) {
        const m = h.map(type);
        return m ? h.give(serializePairs(m), rp, rn) : S.BadArgument;
      },
      proxy_get_header_map_size(type: number, rn: number) {
        const m = h.map(type);
        if (!m) return S.BadArgument;
        h.dv.setUint32(rn, serializePairs(m).length, true);
        return S.Ok;
      },
      proxy_set_header_map_pairs(type: number, p: number, n: number) {
        if (!h.map(type)) return S.BadArgument;
        h.setMap(type, parsePairs(h.read(p, n)));
        return S.Ok;
      },
      proxy_add_header_map_value(type: number, kp: number, kn: number, vp: number, vn: number) {
        const m = h.map(type);
        if (!m) return S.BadArgument;
        m.push([str(kp, kn), str(vp, vn)]);
        return S.Ok;
      },
      proxy_replace_header_map_value(type: number, kp: number, kn: number, vp: number, vn: number) {
        const m = h.map(type);
        if (!m) return S.BadArgument;
        const key = str(kp, kn);
        const value = str(vp, vn);
        const kept = m.filter(([k]) => k !== key);
        kept.push([key, value]);
        h.setMap(type, kept);
        return S.Ok;
      },
      proxy_remove_header_map_value(type: number, kp: number, kn: number) {
        const m = h.map(type);
        if (!m) return S.BadArgument;
        const key = str(kp, kn);
        h.setMap(type, m.filter(([k]) => k !== key));
        return S.Ok;
      },
      proxy_get_buffer_bytes(type: number, start: number, max: number, rp: number, rn: number) {
        const b = h.buffer(type);
        if (!b) return S.BadArgument;
        start >>>= 0;
        max >>>= 0;
        if (start > b.length) return S.BadArgument;
        return h.give(b.subarray(start, Math.min(b.length, start + max)), rp, rn);
      },
      proxy_get_buffer_status(type: number, rn: number, _ignored: number) {
        const b = h.buffer(type);
        if (!b) return S.BadArgument;
        h.dv.setUint32(rn, b.length, true);
        return S.Ok;
      },
      proxy_set_buffer_bytes(type: number, start: number, size: number, vp: number, vn: number) {
        const b = h.buffer(type);
        if (!b) return S.BadArgument;
        start >>>= 0;
        size >>>= 0;
        const value = h.read(vp, vn);
        if (start >= b.length) h.setBuffer(type, concat(b, value));
        else h.setBuffer(type, concat(concat(b.subarray(0, start), value), b.subarray(Math.min(b.length, start + size))));
        return S.Ok;
      },
      proxy_continue_stream(stream: number) {
        if (stream > 3) return S.BadArgument;
        h.continued.push({ context: h.current, stream });
        return S.Ok;
      },
      proxy_close_stream(stream: number) {
        if (stream > 3) return S.BadArgument;
        h.closed.push({ context: h.current, stream });
        return S.Ok;
      },
      proxy_get_status(rc: number, rp: number, rn: number) {
        h.dv.setUint32(rc, h.callStatus.code, true);
        return h.give(enc.encode(h.callStatus.message), rp, rn);
      },
      proxy_send_local_response(status: number, dp: number, dn: number, bp: number, bn: number, hp: number, hn: number, grpc: number) {
        // The hook runs before the arguments are read: a re-entrant callback must not clobber them.
        const context = h.current;
        h.onLocalResponse?.(context);
        h.localResponses.push({
          context, status, details: str(dp, dn), body: str(bp, bn), headers: parsePairs(h.read(hp, hn)), grpcStatus: grpc,
        });
        return S.Ok;
      },
      proxy_http_call(up: number, un: number, hp: number, hn: number, bp: number, bn: number, tp: number, tn: number, timeout: number, ret: number) {
        const headers = parsePairs(h.read(hp, hn));
        const upstream = str(up, un);
        if (upstream === 'unknown') return S.BadArgument;
        for (const required of [':method', ':path', ':authority']) {
          if (!headers.some(([k]) => k === required)) return S.BadArgument;
        }
        const id = h.nextId++;
        h.httpCalls.push({ context: h.current, id, upstream, headers, body: str(bp, bn), trailers: parsePairs(h.read(tp, tn)), timeout });
        h.dv.setUint32(ret, id, true);
        return S.Ok;
      },
      proxy_grpc_call(up: number, un: number, sp: number, sn: number, mp: number, mn: number, dp: number, dn: number, gp: number, gn: number, _t: number, ret: number) {
        const id = h.nextId++;
        h.grpcCalls.push({ context: h.current, id, upstream: str(up, un), service: str(sp, sn), method: str(mp, mn), metadata: parsePairs(h.read(dp, dn)), message: h.read(gp, gn), stream: false });
        h.dv.setUint32(ret, id, true);
        return S.Ok;
      },
      proxy_grpc_stream(up: number, un: number, sp: number, sn: number, mp: number, mn: number, dp: number, dn: number, ret: number) {
        const id = h.nextId++;
        h.grpcCalls.push({ context: h.current, id, upstream: str(up, un), service: str(sp, sn), method: str(mp, mn), metadata: parsePairs(h.read(dp, dn)), message: null, stream: true });
        h.dv.setUint32(ret, id, true);
        return S.Ok;
      },
      proxy_grpc_send(id: number, p: number, n: number, end: number) {
        if (!h.grpcCalls.some((c) => c.id === id && c.stream)) return S.NotFound;
        h.grpcSent.push({ id, message: h.read(p, n), end: end !== 0 });
        return S.Ok;
      },
      proxy_grpc_cancel(id: number) {
        if (!h.grpcCalls.some((c) => c.id === id)) return S.NotFound;
        h.grpcCancelled.push(id);
        return S.Ok;
      },
      proxy_grpc_close(id: number) {
        return h.grpcCalls.some((c) => c.id === id) ? S.Ok : S.NotFound;
      },
      proxy_get_shared_data(kp: number, kn: number, rp: number, rn: number, rc: number) {
        const e = h.shared.get(str(kp, kn));
        if (!e) return S.NotFound;
        h.dv.setUint32(rc, e.cas, true);
        return h.give(e.value, rp, rn);
      },
      proxy_set_shared_data(kp: number, kn: number, vp: number, vn: number, cas: number) {
        const key = str(kp, kn);
        const e = h.shared.get(key);
        if (cas !== 0 && (!e || e.cas !== cas)) return S.CasMismatch;
        h.shared.set(key, { value: h.read(vp, vn), cas: h.nextCas++ });
        return S.Ok;
      },
      proxy_register_shared_queue(np: number, nn: number, ret: number) {
        const name = str(np, nn);
        let id = [...h.queues].find(([, q]) => q.name === name)?.[0];
        if (id === undefined) {
          id = h.nextId++;
          h.queues.set(id, { name, items: [] });
        }
        h.dv.setUint32(ret, id, true);
        return S.Ok;
      },
      proxy_resolve_shared_queue(_vp: number, _vn: number, np: number, nn: number, ret: number) {
        const name = str(np, nn);
        const id = [...h.queues].find(([, q]) => q.name === name)?.[0];
        if (id === undefined) return S.NotFound;
        h.dv.setUint32(ret, id, true);
        return S.Ok;
      },
      proxy_enqueue_shared_queue(id: number, p: number, n: number) {
        const q = h.queues.get(id);
        if (!q) return S.NotFound;
        q.items.push(h.read(p, n));
        return S.Ok;
      },
      proxy_dequeue_shared_queue(id: number, rp: number, rn: number) {
        const q = h.queues.get(id);
        if (!q) return S.NotFound;
        const item = q.items.shift();
        return item ? h.give(item, rp, rn) : S.Empty;
      },
      proxy_define_metric(type: number, np: number, nn: number, ret: number) {
        if (type > 2) return S.BadArgument;
        const id = h.nextId++;
        h.metrics.set(id, { type, name: str(np, nn), value: 0n });
        h.dv.setUint32(ret, id, true);
        return S.Ok;
      },
      proxy_record_metric(id: number, value: bigint) {
        const m = h.metrics.get(id);
        if (!m) return S.NotFound;
        m.value = BigInt.asUintN(64, value);
        return S.Ok;
      },
      proxy_increment_metric(id: number, delta: bigint) {
        const m = h.metrics.get(id);
        if (!m) return S.NotFound;
        if (m.type === 0 && delta < 0n) return S.BadArgument;
        m.value = BigInt.asUintN(64, m.value + delta);
        return S.Ok;
      },
      proxy_get_metric(id: number, ret: number) {
        const m = h.metrics.get(id);
        if (!m) return S.NotFound;
        h.dv.setBigUint64(ret, m.value, true);
        return S.Ok;
      },
      proxy_get_property(pp: number, pn: number, rp: number, rn: number) {
        const v = h.properties.get(str(pp, pn));
        return v ? h.give(v, rp, rn) : S.NotFound;
      },
      proxy_set_property(pp: number, pn: number, vp: number, vn: number) {
        h.properties.set(str(pp, pn), h.read(vp, vn));
        return S.Ok;
      },
      proxy_call_foreign_function(np: number, nn: number, ap: number, an: number, rp: number, rn: number) {
        if (str(np, nn) !== 'reverse') return S.NotFound;
        return h.give(h.read(ap, an).reverse(), rp, rn);
      },
    };
    const wasi: Record<string, (...a: never[]) => number | void> = {
      clock_time_get(id: number, _precision: bigint, ret: number) {
        if (id > 1) return 58;
        h.dv.setBigUint64(ret, id === 0 ? BigInt(Date.now()) * 1_000_000n : process.hrtime.bigint(), true);
        return 0;
      },
      random_get(p: number, n: number) {
        crypto.getRandomValues(h.mem.subarray(p, p + n));
        return 0;
      },
      environ_sizes_get(rc: number, rs: number) {
        h.dv.setUint32(rc, h.env.length, true);
        h.dv.setUint32(rs, h.env.reduce((a, e) => a + enc.encode(e).length + 1, 0), true);
        return 0;
      },
      environ_get(table: number, buf: number) {
        let at = buf;
        h.env.forEach((e, i) => {
          const b = enc.encode(e);
          h.dv.setUint32(table + 4 * i, at, true);
          h.mem.set(b, at);
          h.mem[at + b.length] = 0;
          at += b.length + 1;
        });
        return 0;
      },
      fd_write() {
        return 8;
      },
      proc_exit() {
        throw new Error('proc_exit');
      },
    };
    return { env, wasi_snapshot_preview1: wasi };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Serializes a property path as the SDK does (NUL-separated segments). */
export function propertyKey(...segments: string[]): string {
  return segments.join('\0');
}
