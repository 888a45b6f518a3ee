// The env.proxy_* host functions: each reads its arguments from guest memory, acts on the effective context, returns a status.
import { LogLevel, MAP_TYPE_MAX, BUFFER_TYPE_MAX, Status } from './abi.js';
import { findName, NOT_ASCII, parsePairs, serializedSize, writePairs } from './pairs.js';
import { getProperty, setProperty } from './properties.js';
import type { WasmVm } from './vm.js';
import type { Context } from './context.js';
import type { LocalReply } from '../http/filter.js';
import { Callouts } from './callouts.js';

type Fn = (...args: never[]) => number | void;
type Fixed = (c: Context, ...a: number[]) => number;
type Wrapped = (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number) => number;

/**
 * `call` as a function declaring exactly `n` parameters: V8 calls a JS import fastest when its
 * arity matches the Wasm signature, and without a rest parameter no array is made per call.
 */
function exactArity(n: number, call: Wrapped): Fn {
  const w = call as (...a: number[]) => number;
  switch (n) {
    case 0:
      return () => w();
    case 1:
      return (a: number) => w(a);
    case 2:
      return (a: number, b: number) => w(a, b);
    case 3:
      return (a: number, b: number, c: number) => w(a, b, c);
    case 4:
      return (a: number, b: number, c: number, d: number) => w(a, b, c, d);
    case 5:
      return (a: number, b: number, c: number, d: number, e: number) => w(a, b, c, d, e);
    case 6:
      return (a: number, b: number, c: number, d: number, e: number, f: number) => w(a, b, c, d, e, f);
    default:
      return call as unknown as Fn;
  }
}


const PINO_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** pino level of the VM's logger -> proxy_log_level_t (silent reads as critical). */
function abiLogLevel(level: string): number {
  const i = PINO_LEVELS.indexOf(level as (typeof PINO_LEVELS)[number]);
  return i < 0 ? LogLevel.Critical : i;
}

function callouts(ctx: Context): Callouts {
  const root = ctx.root;
  root.callouts ??= new Callouts(root);
  return root.callouts;
}

/**
 * Builds the proxy_* imports for `vm`. Every function catches host errors (it answers
 * InternalFailure and logs); a trap of a nested call into the module (the allocator) is
 * rethrown so the outer callback fails as it should.
 */
export function proxyImports(vm: WasmVm): Record<string, Fn> {
  const ctx = (): Context | undefined => vm.effective;
  const guard = <A extends number[]>(name: string, f: (c: Context, ...a: A) => number): Fn => {
    const onError = (err: unknown): number => {
      if (err instanceof WebAssembly.RuntimeError || err instanceof RangeError) throw err;
      vm.log.error({ err, hostcall: name }, 'Wasm hostcall failed');
      return Status.InternalFailure;
    };
    return exactArity(f.length - 1, (a, b, c, d, e, g, h, i, j, k, l, m) => {
      const cx = ctx();
      if (!cx) return Status.InternalFailure;
      try {
        return (f as unknown as Fixed)(cx, a, b, c, d, e, g, h, i, j, k, l, m);
      } catch (err) {
        return onError(err);
      }
    });
  };

  const mapOk = (t: number) => t >= 0 && t <= MAP_TYPE_MAX;
  const bufOk = (t: number) => t >= 0 && t <= BUFFER_TYPE_MAX;

  const getConfiguration = guard('proxy_get_configuration', (c, ptrPtr: number, sizePtr: number) => {
    const b = c.getBuffer(7) ?? c.getBuffer(6);
    const data = b ? Uint8Array.from(b.read(0, b.length)) : new Uint8Array(0);
    return vm.copyOut(data, ptrPtr, sizePtr) ? Status.Ok : Status.InvalidMemoryAccess;
  });

  return {
    proxy_log: guard('proxy_log', (c, level: number, ptr: number, size: number) => {
      if (level < 0 || level > LogLevel.Critical) return Status.BadArgument;
      const msg = vm.utf8(ptr, size);
      if (msg === undefined) return Status.InvalidMemoryAccess;
      const log = vm.log;
      const fields = { plugin: c.root.plugin.name, context_id: c.id };
      switch (level) {
        case LogLevel.Trace:
          log.trace(fields, msg);
          break;
        case LogLevel.Debug:
          log.debug(fields, msg);
          break;
        case LogLevel.Info:
          log.info(fields, msg);
          break;
        case LogLevel.Warn:
          log.warn(fields, msg);
          break;
        case LogLevel.Error:
          log.error(fields, msg);
          break;
        default:
          log.fatal(fields, msg);
      }
      return Status.Ok;
    }),

    proxy_get_log_level: guard('proxy_get_log_level', (_c, ptr: number) => (vm.setU32(ptr, abiLogLevel(vm.log.level)) ? Status.Ok : Status.InvalidMemoryAccess)),

    proxy_get_current_time_nanoseconds: guard('proxy_get_current_time_nanoseconds', (_c, ptr: number) =>
      vm.setU64(ptr, vm.clock.wallNs()) ? Status.Ok : Status.InvalidMemoryAccess,
    ),

    proxy_set_tick_period_milliseconds: guard('proxy_set_tick_period_milliseconds', (c, ms: number) => {
      c.root.setTickPeriod(ms >>> 0);
      return Status.Ok;
    }),

    proxy_get_status: guard('proxy_get_status', (c, codePtr: number, msgPtrPtr: number, msgSizePtr: number) => {
      const s = c.root.status;
      if (!vm.setU32(codePtr, s.code)) return Status.InvalidMemoryAccess;
      return vm.copyOut(Buffer.from(s.message, 'utf8'), msgPtrPtr, msgSizePtr) ? Status.Ok : Status.InvalidMemoryAccess;
    }),

    proxy_set_effective_context: guard('proxy_set_effective_context', (_c, id: number) => {
      const target = vm.contexts.get(id >>> 0);
      if (!target) return Status.BadArgument;
      vm.effective = target;
      return Status.Ok;
    }),

    proxy_done: guard('proxy_done', (c) => c.done()),

    // ---- properties ----
    proxy_get_property: guard('proxy_get_property', (c, pathPtr: number, pathSize: number, valPtrPtr: number, valSizePtr: number) => {
      const path = vm.slice(pathPtr, pathSize);
      if (!path) return Status.InvalidMemoryAccess;
      const r = getProperty(c, path);
      if (r.status !== Status.Ok) return r.status;
      return vm.copyOut(r.value!, valPtrPtr, valSizePtr) ? Status.Ok : Status.InvalidMemoryAccess;
    }),
    proxy_set_property: guard('proxy_set_property', (c, pathPtr: number, pathSize: number, valPtr: number, valSize: number) => {
      const path = vm.slice(pathPtr, pathSize);
      const value = vm.slice(valPtr, valSize);
      if (!path || !value) return Status.InvalidMemoryAccess;
      return setProperty(c, path, value);
    }),

    // ---- header maps ----
    proxy_get_header_map_value: guard('proxy_get_header_map_value', (c, type: number, kPtr: number, kSize: number, vPtrPtr: number, vSizePtr: number) => {
      if (!mapOk(type)) return Status.BadArgument;
      kPtr >>>= 0;
      kSize >>>= 0;
      const mem = vm.bytes();
      if (kPtr + kSize > mem.length) return Status.InvalidMemoryAccess;
      const m = c.getMap(type, false);
      if (!m) return c instanceof Object && (c as { logPhase?: boolean }).logPhase ? Status.NotFound : Status.BadArgument;
      // Compare the guest's bytes with the names in place: no key string per lookup.
      const at = findName(m.list, mem, kPtr, kSize);
      const v = at >= 0 ? m.list[at + 1] : at === NOT_ASCII ? m.get(vm.latin1(kPtr, kSize)!.toLowerCase()) : undefined;
      if (v === undefined) return Status.NotFound;
      return vm.copyOutLatin1(v, vPtrPtr, vSizePtr) ? Status.Ok : Status.InvalidMemoryAccess;
    }),
    proxy_add_header_map_value: guard('proxy_add_header_map_value', (c, type: number, kPtr: number, kSize: number, vPtr: number, vSize: number) => {
      if (!mapOk(type)) return Status.BadArgument;
      const key = vm.latin1(kPtr, kSize);
      const value = vm.latin1(vPtr, vSize);
      if (key === undefined || value === undefined) return Status.InvalidMemoryAccess;
      const m = c.getMap(type, true);
      if (!m) return Status.BadArgument;
      m.add(key, value);
      return Status.Ok;
    }),
    proxy_replace_header_map_value: guard('proxy_replace_header_map_value', (c, type: number, kPtr: number, kSize: number, vPtr: number, vSize: number) => {
      if (!mapOk(type)) return Status.BadArgument;
      const key = vm.latin1(kPtr, kSize);
      const value = vm.latin1(vPtr, vSize);
      if (key === undefined || value === undefined) return Status.InvalidMemoryAccess;
      const m = c.getMap(type, true);
      if (!m) return Status.BadArgument;
      m.set(key, value);
      return Status.Ok;
    }),
    proxy_remove_header_map_value: guard('proxy_remove_header_map_value', (c, type: number, kPtr: number, kSize: number) => {
      if (!mapOk(type)) return Status.BadArgument;
      const key = vm.latin1(kPtr, kSize);
      if (key === undefined) return Status.InvalidMemoryAccess;
      const m = c.getMap(type, true);
      if (!m) return Status.BadArgument;
      m.remove(key);
      return Status.Ok;
    }),
    proxy_get_header_map_pairs: guard('proxy_get_header_map_pairs', (c, type: number, ptrPtr: number, sizePtr: number) => {
      if (!mapOk(type)) return Status.BadArgument;
      const m = c.getMap(type, false);
      const list = m?.list;
      if (!list || list.length === 0) return vm.setU32(ptrPtr, 0) && vm.setU32(sizePtr, 0) ? Status.Ok : Status.InvalidMemoryAccess;
      const size = serializedSize(list);
      const p = vm.alloc(size);
      if (p === 0) return Status.InvalidMemoryAccess;
      const buf = vm.buffer();
      if (p + size > buf.length) return Status.InvalidMemoryAccess;
      writePairs(buf, p, list);
      return vm.setU32(ptrPtr, p) && vm.setU32(sizePtr, size) ? Status.Ok : Status.InvalidMemoryAccess;
    }),
    proxy_set_header_map_pairs: guard('proxy_set_header_map_pairs', (c, type: number, ptr: number, size: number) => {
      if (!mapOk(type)) return Status.BadArgument;
      const data = vm.slice(ptr, size);
      if (!data) return Status.InvalidMemoryAccess;
      const m = c.getMap(type, true);
      if (!m) return Status.BadArgument;
      const list = parsePairs(data);
      if (!list) return Status.BadArgument;
      m.replaceAll(list);
      return Status.Ok;
    }),
    proxy_get_header_map_size: guard('proxy_get_header_map_size', (c, type: number, sizePtr: number) => {
      if (!mapOk(type)) return Status.BadArgument;
      const m = c.getMap(type, false);
      if (!m) return Status.BadArgument;
      return vm.setU32(sizePtr, m.size === 0 ? 0 : serializedSize(m.list)) ? Status.Ok : Status.InvalidMemoryAccess;
    }),

    // ---- buffers ----
    proxy_get_buffer_status: guard('proxy_get_buffer_status', (c, type: number, sizePtr: number, flagsPtr: number) => {
      if (!bufOk(type)) return Status.BadArgument;
      const b = c.getBuffer(type);
      if (!b) return Status.NotFound;
      return vm.setU32(sizePtr, b.length) && vm.setU32(flagsPtr, 0) ? Status.Ok : Status.InvalidMemoryAccess;
    }),
    proxy_get_buffer_bytes: guard('proxy_get_buffer_bytes', (c, type: number, start: number, maxSize: number, ptrPtr: number, sizePtr: number) => {
      if (!bufOk(type)) return Status.BadArgument;
      const b = c.getBuffer(type);
      if (!b) return Status.NotFound;
      start >>>= 0;
      maxSize >>>= 0;
      if (start + maxSize > 0xffffffff) return Status.BadArgument;
      // Nothing to copy: Ok without writing ptr or size, as Envoy does (SDKs pre-set or ignore them).
      if (start >= b.length || maxSize === 0) return Status.Ok;
      const data = b.read(start, maxSize);
      return vm.copyOut(data, ptrPtr, sizePtr) ? Status.Ok : Status.InvalidMemoryAccess;
    }),
    proxy_set_buffer_bytes: guard('proxy_set_buffer_bytes', (c, type: number, start: number, size: number, ptr: number, len: number) => {
      if (!bufOk(type)) return Status.BadArgument;
      const b = c.getBuffer(type);
      if (!b) return Status.NotFound;
      const data = vm.slice(ptr, len);
      if (!data) return Status.InvalidMemoryAccess;
      return b.write(start >>> 0, size >>> 0, data);
    }),

    // ---- stream control ----
    proxy_continue_stream: guard('proxy_continue_stream', (c, type: number) => (type < 0 || type > 3 ? Status.BadArgument : c.continueStream(type))),
    proxy_close_stream: guard('proxy_close_stream', (c, type: number) => (type < 0 || type > 3 ? Status.BadArgument : c.closeStream(type))),
    proxy_continue_request: guard('proxy_continue_request', (c) => c.continueStream(0)),
    proxy_continue_response: guard('proxy_continue_response', (c) => c.continueStream(1)),
    proxy_clear_route_cache: guard('proxy_clear_route_cache', (c) => {
      const cb = (c as { callbacks?: { clearRouteCache?: () => void } }).callbacks;
      cb?.clearRouteCache?.();
      return Status.Ok;
    }),
    proxy_get_configuration: getConfiguration,
    proxy_send_local_response: guard(
      'proxy_send_local_response',
      (c, status: number, detPtr: number, detSize: number, bodyPtr: number, bodySize: number, hdrPtr: number, hdrSize: number, grpcStatus: number) => {
        const details = vm.utf8(detPtr, detSize);
        const body = vm.copy(bodyPtr, bodySize);
        const hdr = vm.slice(hdrPtr, hdrSize);
        if (details === undefined || !body || !hdr) return Status.InvalidMemoryAccess;
        const list = parsePairs(hdr) ?? [];
        const headers: [string, string][] = [];
        for (let i = 0; i + 1 < list.length; i += 2) headers.push([list[i]!.toLowerCase(), list[i + 1]!]);
        const g = grpcStatus | 0;
        const reply: LocalReply = {
          status: status >>> 0,
          body,
          headers,
          details: details.replace(/\s/g, '_') || `wasm_plugin:${c.root.plugin.name}`,
          ...(g >= 0 && g <= 16 ? { grpcStatus: g } : {}),
        };
        return c.sendLocalResponse(reply);
      },
    ),

    // ---- callouts ----
    proxy_http_call: guard(
      'proxy_http_call',
      (c, upPtr: number, upSize: number, hPtr: number, hSize: number, bPtr: number, bSize: number, tPtr: number, tSize: number, timeout: number, tokenPtr: number) => {
        const cluster = vm.utf8(upPtr, upSize);
        const h = vm.slice(hPtr, hSize);
        const body = vm.copy(bPtr, bSize);
        const t = vm.slice(tPtr, tSize);
        if (cluster === undefined || !h || !body || !t) return Status.InvalidMemoryAccess;
        if (!vm.setU32(tokenPtr, 0)) return Status.InvalidMemoryAccess;
        const headers = parsePairs(h);
        const trailers = parsePairs(t);
        if (!headers || !trailers) return Status.BadArgument;
        const r = callouts(c).httpCall(cluster, headers, body, trailers, timeout >>> 0);
        if (r.status === Status.Ok) vm.setU32(tokenPtr, r.token);
        return r.status;
      },
    ),
    proxy_grpc_call: guard(
      'proxy_grpc_call',
      (c, upPtr: number, upSize: number, sPtr: number, sSize: number, mPtr: number, mSize: number, mdPtr: number, mdSize: number, msgPtr: number, msgSize: number, timeout: number, tokenPtr: number) => {
        const cluster = vm.utf8(upPtr, upSize);
        const service = vm.utf8(sPtr, sSize);
        const method = vm.utf8(mPtr, mSize);
        const md = vm.slice(mdPtr, mdSize);
        const msg = vm.copy(msgPtr, msgSize);
        if (cluster === undefined || service === undefined || method === undefined || !md || !msg) return Status.InvalidMemoryAccess;
        const metadata = parsePairs(md);
        if (!metadata) return Status.BadArgument;
        const r = callouts(c).grpcCall(cluster, service, method, metadata, msg, timeout >>> 0);
        if (r.status !== Status.Ok) return r.status;
        return vm.setU32(tokenPtr, r.token) ? Status.Ok : Status.InvalidMemoryAccess;
      },
    ),
    proxy_grpc_stream: guard(
      'proxy_grpc_stream',
      (c, upPtr: number, upSize: number, sPtr: number, sSize: number, mPtr: number, mSize: number, mdPtr: number, mdSize: number, tokenPtr: number) => {
        const cluster = vm.utf8(upPtr, upSize);
        const service = vm.utf8(sPtr, sSize);
        const method = vm.utf8(mPtr, mSize);
        const md = vm.slice(mdPtr, mdSize);
        if (cluster === undefined || service === undefined || method === undefined || !md) return Status.InvalidMemoryAccess;
        const metadata = parsePairs(md);
        if (!metadata) return Status.BadArgument;
        const r = callouts(c).grpcStream(cluster, service, method, metadata);
        if (r.status !== Status.Ok) return r.status;
        return vm.setU32(tokenPtr, r.token) ? Status.Ok : Status.InvalidMemoryAccess;
      },
    ),
    proxy_grpc_send: guard('proxy_grpc_send', (c, token: number, ptr: number, size: number, end: number) => {
      const msg = vm.copy(ptr, size);
      if (!msg) return Status.InvalidMemoryAccess;
      return callouts(c).grpcSend(token >>> 0, msg, end !== 0);
    }),
    proxy_grpc_cancel: guard('proxy_grpc_cancel', (c, token: number) => callouts(c).grpcCancel(token >>> 0)),
    proxy_grpc_close: guard('proxy_grpc_close', (c, token: number) => callouts(c).grpcClose(token >>> 0)),

    // ---- shared data and queues ----
    proxy_get_shared_data: guard('proxy_get_shared_data', (_c, kPtr: number, kSize: number, vPtrPtr: number, vSizePtr: number, casPtr: number) => {
      const key = vm.utf8(kPtr, kSize);
      if (key === undefined) return Status.InvalidMemoryAccess;
      const entry = vm.host.sharedData.get(vm.vmId, key);
      if (!entry) return Status.NotFound;
      if (!vm.copyOut(entry.value, vPtrPtr, vSizePtr)) return Status.InvalidMemoryAccess;
      return vm.setU32(casPtr, entry.cas) ? Status.Ok : Status.InvalidMemoryAccess;
    }),
    proxy_set_shared_data: guard('proxy_set_shared_data', (_c, kPtr: number, kSize: number, vPtr: number, vSize: number, cas: number) => {
      const key = vm.utf8(kPtr, kSize);
      const value = vm.slice(vPtr, vSize);
      if (key === undefined || !value) return Status.InvalidMemoryAccess;
      return vm.host.sharedData.set(vm.vmId, key, value, cas >>> 0);
    }),
    proxy_register_shared_queue: guard('proxy_register_shared_queue', (c, nPtr: number, nSize: number, tokenPtr: number) => {
      const name = vm.utf8(nPtr, nSize);
      if (name === undefined) return Status.InvalidMemoryAccess;
      const root = c.root;
      const token = vm.host.sharedData.registerQueue(vm.vmId, name, root.queueListener());
      return vm.setU32(tokenPtr, token) ? Status.Ok : Status.InvalidMemoryAccess;
    }),
    proxy_resolve_shared_queue: guard('proxy_resolve_shared_queue', (_c, vPtr: number, vSize: number, nPtr: number, nSize: number, tokenPtr: number) => {
      const vmId = vm.utf8(vPtr, vSize);
      const name = vm.utf8(nPtr, nSize);
      if (vmId === undefined || name === undefined) return Status.InvalidMemoryAccess;
      const token = vm.host.sharedData.resolveQueue(vmId === '' ? vm.vmId : vmId, name);
      if (token === 0) return Status.NotFound;
      return vm.setU32(tokenPtr, token) ? Status.Ok : Status.InvalidMemoryAccess;
    }),
    proxy_enqueue_shared_queue: guard('proxy_enqueue_shared_queue', (_c, token: number, ptr: number, size: number) => {
      const value = vm.slice(ptr, size);
      if (!value) return Status.InvalidMemoryAccess;
      return vm.host.sharedData.enqueue(token >>> 0, value);
    }),
    proxy_dequeue_shared_queue: guard('proxy_dequeue_shared_queue', (_c, token: number, ptrPtr: number, sizePtr: number) => {
      const r = vm.host.sharedData.dequeue(token >>> 0);
      if (typeof r === 'number') return r;
      return vm.copyOut(r, ptrPtr, sizePtr) ? Status.Ok : Status.InvalidMemoryAccess;
    }),

    // ---- metrics ----
    proxy_define_metric: guard('proxy_define_metric', (c, type: number, nPtr: number, nSize: number, idPtr: number) => {
      const name = vm.utf8(nPtr, nSize);
      if (name === undefined) return Status.InvalidMemoryAccess;
      const r = vm.host.metrics.define(c.root.plugin.name, type >>> 0, name);
      if (r.status !== Status.Ok) return r.status;
      return vm.setU32(idPtr, r.id) ? Status.Ok : Status.InvalidMemoryAccess;
    }),
    proxy_increment_metric: guard('proxy_increment_metric', (_c, id: number, delta: number) => vm.host.metrics.increment(id >>> 0, BigInt(delta))),
    proxy_record_metric: guard('proxy_record_metric', (_c, id: number, value: number) => vm.host.metrics.record(id >>> 0, BigInt(value))),
    proxy_get_metric: guard('proxy_get_metric', (_c, id: number, ptr: number) => {
      const r = vm.host.metrics.get(id >>> 0);
      if (r.status !== Status.Ok) return r.status;
      return vm.setU64(ptr, r.value) ? Status.Ok : Status.InvalidMemoryAccess;
    }),

    // ---- foreign functions ----
    proxy_call_foreign_function: guard('proxy_call_foreign_function', (_c, nPtr: number, nSize: number, aPtr: number, aSize: number, rPtrPtr: number, rSizePtr: number) => {
      const name = vm.utf8(nPtr, nSize);
      const args = vm.copy(aPtr, aSize);
      if (name === undefined || !args) return Status.InvalidMemoryAccess;
      const f = vm.host.foreignFunctions.get(name);
      if (!f) return Status.NotFound;
      const result = f(args) ?? new Uint8Array(0);
      if (rPtrPtr === 0 && rSizePtr === 0) return Status.Ok;
      return vm.copyOut(result, rPtrPtr, rSizePtr) ? Status.Ok : Status.InvalidMemoryAccess;
    }),
  };
}
