// Micro benchmarks of the proxy-wasm host: one callback round trip, stream lifecycles, header map hostcalls, metering cost.
import type { Bench } from 'tinybench';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSnapshot } from '../../api/snapshot/index.js';
import { Logging } from '../../lib/log.js';
import { FilterAction, type HttpFilter, type HttpFilterFactory } from '../../proxy/http/filter.js';
import { HeaderMap } from '../../proxy/http/header-map.js';
import { PluginManager } from '../../proxy/wasm/plugin-manager.js';
import { serializedSize, writePairs } from '../../proxy/wasm/pairs.js';
import { TestStream, wat } from '../../test/wasm/helpers.js';
import { BENCH_HEADER, benchChainPlugins, writeBenchFilters } from '../filters/build.js';
import { REQUEST } from './fixtures.js';

const RESPONSE: [string, string][] = [
  [':status', '200'],
  ['content-type', 'application/json'],
  ['content-length', '13'],
];

/** Hostcalls made per callback by the "x100" tasks (one alone is shorter than the timer's resolution). */
const REPS = 100;
/** Loop iterations of the compute task (metering cost on code that does work between hostcalls). */
const SPIN = 10_000;

/**
 * A raw-ABI filter: on_request_headers returns Continue, or (by the exported global `mode`) first
 * makes `reps` hostcalls: 1 get_header_map_pairs, 2 get_header_map_value of a present header,
 * 3 of an absent one, 4 a compute loop. Its allocator hands out one scratch area: the bench
 * measures the host, not an allocator.
 */
const HOST_MODULE = `(module
  (import "env" "proxy_get_header_map_pairs" (func $pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $get (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 4)
  (data (i32.const 1024) "x-request-id")
  (data (i32.const 1100) "x-not-there")
  (global $mode (export "mode") (mut i32) (i32.const 0))
  (global $reps (export "reps") (mut i32) (i32.const ${REPS}))
  (global $acc (export "acc") (mut i32) (i32.const 0))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 65536))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (local $i i32)
    (if (i32.eqz (global.get $mode)) (then (return (i32.const 0))))
    (local.set $i (global.get $reps))
    (loop $l
      (if (i32.eq (global.get $mode) (i32.const 1)) (then (drop (call $pairs (i32.const 0) (i32.const 512) (i32.const 516)))))
      (if (i32.eq (global.get $mode) (i32.const 2)) (then (drop (call $get (i32.const 0) (i32.const 1024) (i32.const 12) (i32.const 512) (i32.const 516)))))
      (if (i32.eq (global.get $mode) (i32.const 3)) (then (drop (call $get (i32.const 0) (i32.const 1100) (i32.const 11) (i32.const 512) (i32.const 516)))))
      (if (i32.eq (global.get $mode) (i32.const 4)) (then (global.set $acc (i32.add (global.get $acc) (i32.xor (local.get $i) (i32.mul (global.get $acc) (i32.const 31)))))))
      (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))
  (func (export "proxy_on_log") (param i32))
  (func (export "proxy_on_delete") (param i32)))`;

const MODES = { noop: 0, pairs: 1, getHit: 2, getMiss: 3, spin: 4 } as const;

/** Everything the tasks run on, built once when the module is loaded (compiling the AS filters takes seconds). */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'weft-wasm-bench-'));
  try {
    const hostModule = join(dir, 'host.wasm');
    writeFileSync(hostModule, await wat(HOST_MODULE));
    const files = await writeBenchFilters(dir);
    const plugins: Record<string, unknown>[] = [];
    const raw = (name: string, metered: boolean) =>
      plugins.push({ name, vm_id: name, module: { file: hostModule }, filter_chains: [name], limits: { callback_cpu: metered ? '100ms' : 0 } });
    for (const metered of [false, true]) {
      const tag = metered ? 'metered' : 'unmetered';
      for (const mode of Object.keys(MODES)) raw(`raw-${mode}-${tag}`, metered);
      for (const chain of ['noop', 'add-header', 'chain-3'] as const) {
        for (const p of benchChainPlugins(chain, files, { filterChain: `${chain}-${tag}`, metered })) plugins.push({ ...p, name: `${String(p.name)}-${chain}-${tag}`, vm_id: `${chain}-${tag}` });
      }
    }
    const chains = [...new Set(plugins.flatMap((p) => p.filter_chains as string[]))];
    const r = validateSnapshot({
      listeners: chains.map((c) => ({ name: c, address: '127.0.0.1:0', http: { route_table: 'rt', filter_chain: c } })),
      route_tables: [{ name: 'rt', virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ direct_response: { status: 200 } }] }] }],
      plugins,
    });
    if (!r.ok) throw new Error(`bench setup: ${JSON.stringify(r.error)}`);
    const manager = new PluginManager({ logging: new Logging({ level: 'silent' }) });
    const prepared = await manager.prepare(r.value, undefined);
    for (const metered of [false, true]) {
      for (const [mode, value] of Object.entries(MODES)) {
        const exports = manager.plugin(`raw-${mode}-${metered ? 'metered' : 'unmetered'}`)!.vm!.rawExports as Record<string, WebAssembly.Global>;
        exports.mode!.value = value;
        exports.reps!.value = mode === 'spin' ? SPIN : REPS;
      }
    }
    return { chain: (name: string) => prepared.http(name) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const env = await setup();
const callbacks = new TestStream();

/** One stream through a chain, as the filter manager drives it: create, request and response headers, complete. */
function stream(factories: readonly HttpFilterFactory[], check?: (h: HeaderMap) => void): () => void {
  return () => {
    const req = HeaderMap.from(REQUEST);
    const res = HeaderMap.from(RESPONSE);
    const filters: HttpFilter[] = [];
    for (const f of factories) {
      const filter = f.create(callbacks);
      filters.push(filter);
      if (filter.onRequestHeaders!(req, true) !== FilterAction.Continue) throw new Error(`${f.name} stopped the request`);
    }
    for (let i = filters.length - 1; i >= 0; i--) filters[i]!.onResponseHeaders?.(res, false);
    for (const f of filters) f.onStreamComplete?.();
    check?.(req);
  };
}

export default function wasmHostBench(bench: Bench): void {
  const tag = (metered: boolean) => (metered ? 'metered' : 'unmetered');
  const added = (h: HeaderMap) => {
    if (h.get(BENCH_HEADER.name) !== BENCH_HEADER.value) throw new Error('bench setup: the header was not added');
  };
  // Sanity: each chain does what its name says before it is timed.
  stream(env.chain('add-header-unmetered'), added)();
  stream(env.chain('chain-3-metered'), added)();

  bench.add('wasm: baseline, fresh request + response HeaderMap, no filter', stream([]));
  for (const metered of [false, true]) {
    const t = tag(metered);
    const noop = env.chain(`raw-noop-${t}`)[0]!;
    const filter = noop.create(callbacks);
    const headers = HeaderMap.from(REQUEST);
    bench.add(`wasm: on_request_headers round trip, raw no-op (${t})`, () => {
      filter.onRequestHeaders!(headers, false);
    });
    bench.add(`wasm: stream, raw no-op (${t})`, stream([noop]));
    bench.add(`wasm: stream, SDK no-op (${t})`, stream(env.chain(`noop-${t}`)));
    bench.add(`wasm: stream, SDK add-header (${t})`, stream(env.chain(`add-header-${t}`)));
    bench.add(`wasm: stream, SDK chain of 3 (${t})`, stream(env.chain(`chain-3-${t}`)));
    const spin = env.chain(`raw-spin-${t}`)[0]!.create(callbacks);
    bench.add(`wasm: on_request_headers with a ${SPIN}-iteration loop (${t})`, () => {
      spin.onRequestHeaders!(headers, false);
    });
  }
  const headers = HeaderMap.from(REQUEST);
  for (const [mode, label] of [
    ['pairs', `get_header_map_pairs, 12 fields (${serializedSize(headers.list)} B)`],
    ['getHit', 'get_header_map_value, present'],
    ['getMiss', 'get_header_map_value, absent'],
  ] as const) {
    const filter = env.chain(`raw-${mode}-unmetered`)[0]!.create(callbacks);
    bench.add(`wasm: ${label} x${REPS} in one callback`, () => {
      filter.onRequestHeaders!(headers, false);
    });
  }
  const out = Buffer.alloc(4096);
  bench.add('wasm: header map serialization only (JS, 12 fields)', () => {
    if (serializedSize(headers.list) <= out.length) writePairs(out, 0, headers.list);
  });
}
