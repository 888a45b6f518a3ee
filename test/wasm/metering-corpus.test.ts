// Meters every kind of module the tests build (WAT using each Wasm feature V8 ships, AssemblyScript debug and release, the SDKs' filters) and checks the metered module behaves identically.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSnapshot } from '../../api/snapshot/index.js';
import { BodyBuffer } from '../../proxy/http/body-buffer.js';
import { HeaderMap } from '../../proxy/http/header-map.js';
import { PluginManager } from '../../proxy/wasm/plugin-manager.js';
import { benchChainPlugins, buildBenchFilter } from '../../bench/filters/build.js';
import { buildFilter, bundledSdk } from '../../sdk/testing/build.js';
import { captureLogging, compileAs, TestStream, wat } from './helpers.js';
import { compileWithSdk, helloWorldSource, SDK_BUILDS } from './compat-sdk.js';
import { callBoth, fuelBurned, outcomeOf, PLENTY, Twin } from './metering-twin.js';
import { probeModule } from './probe.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-metering-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Each module with the calls that exercise it; every call runs on both twins and must agree. */
const FEATURE_MODULES: { name: string; text: string; calls: [string, unknown[]][]; imports?: () => WebAssembly.Imports }[] = [
  {
    name: 'bulk memory: passive data and elements, memory.init/copy/fill, data.drop, table.init/copy, elem.drop',
    text: `(module
      (memory (export "memory") 1)
      (table $t 4 funcref)
      (type $f (func (result i32)))
      (func $one (result i32) (i32.const 1)) (func $two (result i32) (i32.const 2))
      (data $d "metering keeps bulk memory working")
      (elem $e func $one $two)
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
        (memory.init $d (i32.const 100) (i32.const 0) (i32.const 34))
        (memory.copy (i32.const 101) (i32.const 100) (i32.and (local.get $n) (i32.const 31)))
        (memory.fill (i32.const 200) (local.get $n) (i32.const 16))
        (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 2))
        (table.copy $t $t (i32.const 2) (i32.const 0) (i32.const 2))
        (loop $l
          (local.set $s (i32.add (local.get $s) (i32.load8_u offset=100 (local.get $i))))
          (local.set $s (i32.add (local.get $s) (call_indirect (type $f) (i32.and (local.get $i) (i32.const 3)))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 120))))
        (local.get $s))
      (func (export "drop") (data.drop $d) (elem.drop $e)))`,
    calls: [['run', [3]], ['run', [17]], ['drop', []], ['run', [5]]],
  },
  {
    name: 'SIMD: v128 constants, shuffles, swizzles, lane loads and stores, saturating and dot products, v128 globals',
    text: `(module
      (memory (export "memory") 1)
      (global $v (mut v128) (v128.const i32x4 1 2 3 4))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc v128)
        (local.set $acc (global.get $v))
        (loop $l
          (v128.store offset=16 (i32.shl (local.get $i) (i32.const 4))
            (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0 (local.get $acc) (i32x4.splat (local.get $i))))
          (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (local.get $acc) (v128.load offset=16 (i32.shl (local.get $i) (i32.const 4))))))
          (local.set $acc (i8x16.swizzle (local.get $acc) (v128.const i8x16 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12)))
          (local.set $acc (v128.load8_lane 5 (i32.const 40) (local.get $acc)))
          (v128.store16_lane 3 (i32.const 900) (local.get $acc))
          (local.set $acc (i16x8.add_sat_s (local.get $acc) (i16x8.splat (local.get $n))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
        (global.set $v (local.get $acc))
        (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32.add (i8x16.bitmask (local.get $acc)) (v128.any_true (local.get $acc))))))`,
    calls: [['run', [1]], ['run', [40]], ['run', [7]]],
  },
  {
    name: 'reference types: two tables, table.get/set/grow/size/fill, ref.func, ref.is_null, typed select, call_indirect on table 1',
    text: `(module
      (type $f (func (param i32) (result i32)))
      (table $a 2 funcref)
      (table $b 1 10 funcref)
      (func $inc (type $f) (i32.add (local.get 0) (i32.const 1)))
      (func $dbl (type $f) (i32.mul (local.get 0) (i32.const 2)))
      (elem declare func $inc $dbl)
      (func (export "run") (param $n i32) (result i32) (local $r i32)
        (table.set $a (i32.const 0) (ref.func $inc))
        (drop (table.grow $b (ref.func $dbl) (i32.const 2)))
        (table.fill $b (i32.const 1) (ref.null func) (i32.const 1))
        (local.set $r (call_indirect $b (type $f) (local.get $n) (i32.const 0)))
        (local.set $r (i32.add (local.get $r) (table.size $b)))
        (local.set $r (select (result i32) (local.get $r) (i32.const -1) (ref.is_null (table.get $b (i32.const 1)))))
        (if (result i32) (i32.gt_u (local.get $n) (i32.const 100))
          (then (call_indirect $b (type $f) (local.get $n) (i32.const 1)))
          (else (i32.add (local.get $r) (call_indirect $a (type $f) (local.get $n) (i32.const 0)))))))`,
    calls: [['run', [5]], ['run', [99]], ['run', [101]]],
  },
  {
    name: 'multi-value: blocks and loops with parameters (type-index block types), multiple results, br_table carrying values',
    text: `(module
      (type $pair (func (param i32 i32) (result i32 i32)))
      (func $swap (type $pair) (local.get 1) (local.get 0))
      (func (export "run") (param $n i32) (result i32)
        (local.get $n) (i32.const 0)
        (loop $l (type $pair)
          (call $swap)
          (i32.sub (i32.const 1))
          (local.tee $n)
          (call $swap)
          (i32.add (i32.const 3))
          (if (param i32 i32) (result i32 i32) (i32.eqz (local.get $n)) (then) (else (call $swap) (call $swap) (br $l))))
        (i32.add)
        (block $a (param i32) (result i32)
          (block $b (param i32) (result i32)
            (br_table $a $b $a (i32.rem_u (local.get $n) (i32.const 3))))
          (i32.mul (i32.const 7)))))`,
    calls: [['run', [1]], ['run', [9]], ['run', [30]]],
  },
  {
    name: 'exceptions: try/catch/catch_all, throw with values, rethrow, delegate, a catch inside a loop',
    text: `(module
      (tag $e (param i32))
      (tag $other)
      (func $thrower (param i32) (if (i32.and (local.get 0) (i32.const 1)) (then (throw $e (local.get 0)))) (throw $other))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s)
            (try (result i32)
              (do (try (result i32) (do (call $thrower (local.get $i)) (i32.const 0)) (delegate 0)))
              (catch $e (i32.add (i32.const 100)))
              (catch_all (i32.const 7)))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
        (try (result i32)
          (do (try (do (call $thrower (i32.const 3))) (catch_all (rethrow 0))) (i32.const 0))
          (catch $e (i32.add (local.get $s))))))`,
    calls: [['run', [1]], ['run', [10]]],
  },
  {
    name: 'tail calls: return_call and return_call_indirect in a countdown',
    text: `(module
      (type $f (func (param i32 i32) (result i32)))
      (table 1 funcref) (elem (i32.const 0) $odd)
      (func $even (type $f) (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
        (else (return_call_indirect (type $f) (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 2)) (i32.const 0)))))
      (func $odd (type $f) (if (result i32) (i32.eqz (local.get 0)) (then (i32.mul (local.get 1) (i32.const 3)))
        (else (return_call $even (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 1))))))
      (func (export "run") (param i32) (result i32) (return_call $even (local.get 0) (i32.const 0))))`,
    calls: [['run', [0]], ['run', [1]], ['run', [100001]]],
  },
  {
    name: 'an imported global and memory, a start section, exported mutable globals, memory.grow and memory.size',
    text: `(module
      (import "env" "base" (global $base i32))
      (import "env" "memory" (memory 1 4))
      (global $count (export "count") (mut i32) (i32.const 0))
      (global $wide (export "wide") (mut i64) (i64.const 0))
      (func $init (global.set $count (global.get $base)) (i32.store (i32.const 8) (i32.const 0x1234)))
      (start $init)
      (func (export "run") (param $n i32) (result i32)
        (global.set $count (i32.add (global.get $count) (local.get $n)))
        (global.set $wide (i64.add (global.get $wide) (i64.extend_i32_s (global.get $count))))
        (if (i32.eq (local.get $n) (i32.const 2)) (then (drop (memory.grow (i32.const 1)))))
        (i32.add (i32.load (i32.const 8)) (i32.mul (memory.size) (global.get $count)))))`,
    calls: [['run', [1]], ['run', [2]], ['run', [3]]],
    imports: () => ({ env: { base: new WebAssembly.Global({ value: 'i32', mutable: false }, 40), memory: new WebAssembly.Memory({ initial: 1, maximum: 4 }) } }),
  },
  {
    name: 'numbers: sign extension, saturating truncation, i64 and float arithmetic, traps (div by zero, overflow, unreachable)',
    text: `(module
      (func (export "run") (param $n i32) (result i64) (local $f f64)
        (local.set $f (f64.div (f64.convert_i32_s (local.get $n)) (f64.const 3)))
        (i64.add
          (i64.extend32_s (i64.extend_i32_u (i32.extend8_s (local.get $n))))
          (i64.add (i64.trunc_sat_f64_s (f64.mul (local.get $f) (f64.const 1e300)))
            (i64.extend_i32_s (i32.trunc_sat_f32_u (f32.demote_f64 (f64.sqrt (f64.abs (local.get $f)))))))))
      (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func (export "boom") (param i32) (result i32) (if (local.get 0) (then unreachable)) (i32.const 0)))`,
    calls: [['run', [200]], ['run', [-7]], ['div', [7, 0]], ['div', [-2147483648, -1]], ['div', [9, 2]], ['boom', [0]], ['boom', [1]]],
  },
];

for (const m of FEATURE_MODULES) {
  test(`WAT — ${m.name}`, async () => {
    const bytes = await wat(m.text, { simd: true, exceptions: true, tail_call: true, reference_types: true, sat_float_to_int: true });
    const twin = new Twin(bytes, m.imports);
    const inst = twin.instantiate();
    assert.deepEqual(inst.startOutcome[1], inst.startOutcome[0], 'the start function ran the same');
    for (const [fn, args] of m.calls) callBoth(twin, inst, fn, args);
  });
}

test('a runaway tail-recursive loop (no Wasm loop, only return_call) is stopped by fuel', async () => {
  const twin = new Twin(await wat(`(module (func $spin (export "spin") (param i32) (result i32) (return_call $spin (i32.add (local.get 0) (i32.const 1)))))`, { tail_call: true }));
  const inst = twin.instantiate(1_000_000n);
  const out = outcomeOf(() => (inst.metered.exports.spin as (n: number) => number)(0));
  assert.match(out.error ?? '', /unreachable/);
  assert.ok((inst.fuel.value as bigint) < 0n);
});

const WORKLOAD = `
export function fib(n: i32): i32 { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
const table = new Map<string, i32>();
export function run(n: i32): i32 {
  const arr = new Array<i32>(n);
  for (let i = 0; i < n; i++) arr[i] = (i * 7919) % 1009;
  arr.sort((a: i32, b: i32): i32 => a - b);
  let s = "";
  for (let i = 0; i < n % 40; i++) s += i.toString(16);
  table.set(s, n);
  const buf = new Uint8Array(256);
  buf.fill(<u8>n);
  buf.copyWithin(0, 128);
  let h: i32 = table.size;
  for (let i = 0; i < arr.length; i++) h = h * 31 + arr[i];
  let f = 0.0;
  for (let i = 1; i <= n; i++) f += Math.sqrt(<f64>i);
  h ^= <i32>f ^ buf[3] ^ s.length ^ fib(n % 20);
  let v = i32x4.splat(h);
  v = i32x4.add(v, i32x4(1, 2, 3, 4));
  return h ^ i32x4.extract_lane(v, 2);
}
export function fail(n: i32): i32 {
  const a = new Array<i32>(4);
  return a[n];
}
`;

for (const [label, args] of [
  ['debug, incremental runtime, start section', ['--debug', '--runtime', 'incremental', '--enable', 'simd']],
  ['release -O3, minimal runtime, exported _initialize', ['-O3', '--runtime', 'minimal', '--exportStart', '_initialize', '--enable', 'simd']],
  ['release -Oz --noAssert, stub runtime', ['-Oz', '--noAssert', '--runtime', 'stub', '--enable', 'simd']],
] as const) {
  test(`AssemblyScript 0.28 (${label}): same results, same aborts, same memory`, async () => {
    const { binary } = await compileAs({ 'workload.ts': WORKLOAD }, 'workload.ts', [...args]);
    const abortImports = () => ({
      env: {
        abort: (_m: number, _f: number, line: number, col: number) => {
          throw new Error(`abort at ${line}:${col}`);
        },
        seed: () => 42,
      },
    });
    const twin = new Twin(binary, abortImports);
    const inst = twin.instantiate();
    assert.deepEqual(inst.startOutcome[1], inst.startOutcome[0]);
    const init = inst.plain.exports._initialize as (() => void) | undefined;
    if (init) {
      init();
      (inst.metered.exports._initialize as () => void)();
    }
    for (const n of [0, 1, 7, 100, 333]) callBoth(twin, inst, 'run', [n]);
    callBoth(twin, inst, 'fail', [2]);
    callBoth(twin, inst, 'fail', [9]);
    // a long computation is stopped by a small budget
    const { burned } = fuelBurned(twin, 'fib', [20]);
    const small = twin.instantiate(burned / 2n);
    if (small.metered.exports._initialize) {
      small.fuel.value = PLENTY;
      (small.metered.exports._initialize as () => void)();
      small.fuel.value = burned / 2n;
    }
    assert.match(outcomeOf(() => (small.metered.exports.fib as (n: number) => number)(20)).error ?? '', /unreachable/);
  });
}

/** Runs three streams (headers and bodies both ways) through a plugin and records everything it observably did. */
async function hostTranscript(file: string, plugin: Record<string, unknown>, metered: boolean): Promise<unknown[]> {
  const r = validateSnapshot({
    listeners: [{ name: 'l', address: '127.0.0.1:0', http: { route_table: 'rt', filter_chain: 'main' } }],
    route_tables: [{ name: 'rt', virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ direct_response: { status: 200 } }] }] }],
    plugins: [{ ...plugin, module: { file }, filter_chains: ['main'], limits: { callback_cpu: metered ? '200ms' : 0 } }],
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  const { logging, lines } = captureLogging('trace');
  const pm = new PluginManager({ logging });
  const transcript: unknown[] = [];
  try {
    const prepared = await pm.prepare(r.value, undefined);
    assert.equal(pm.plugin(String(plugin.name))!.module.isMetered, metered);
    const [factory] = prepared.http('main');
    for (let i = 0; i < 3; i++) {
      const s = new TestStream();
      const f = factory!.create(s);
      const req = HeaderMap.from([[':method', 'POST'], [':scheme', 'http'], [':authority', 'example.test'], [':path', `/items/${i}`], ['x-internal', '1'], ['content-type', 'text/plain']]);
      s.reqHeaders = req;
      const reqBody = new BodyBuffer();
      reqBody.append(Buffer.from(`request ${i} with a secret`));
      const res = HeaderMap.from([[':status', '200'], ['content-type', 'text/plain'], ['x-powered-by', 'test']]);
      s.resHeaders = res;
      const resBody = new BodyBuffer();
      resBody.append(Buffer.from('the password is secret'));
      s.heldResponseBody = resBody;
      const actions = [f.onRequestHeaders?.(req, false), f.onRequestBody?.(reqBody, true), f.onResponseHeaders?.(res, false), f.onResponseBody?.(resBody, true)];
      f.onStreamComplete?.();
      transcript.push({ actions, req: [...req], res: [...res], reqBody: reqBody.toBuffer().toString(), resBody: resBody.toBuffer().toString(), replies: s.replies, continued: s.continued });
    }
    transcript.push({ failed: pm.plugin(String(plugin.name))!.vm!.failed });
    prepared.release();
  } finally {
    await pm.close();
  }
  transcript.push({ logs: lines().filter((l) => l.component === 'wasm').map((l) => [l.level, l.msg]) });
  return transcript;
}

test('proxy-wasm modules on the host: the same streams give the same headers, bodies, replies and logs metered or not', async () => {
  type Stream = { req: [string, string][]; res: [string, string][]; resBody: string; replies: { status: number }[] };
  const modules: { label: string; bytes: Uint8Array; plugin: Record<string, unknown>; expect?: (first: Stream) => void }[] = [];
  const has = (list: [string, string][], name: string, value?: string) => list.some(([k, v]) => k === name && (value === undefined || v === value));
  const bench = benchChainPlugins('chain-3', { noop: '', 'add-header': '', 'check-header': '', counter: '' }, { filterChain: 'main' });
  for (const name of ['noop', 'add-header', 'check-header', 'counter'] as const) {
    const cfg = bench.find((p) => p.name === `bench-${name}`);
    modules.push({ label: `bench ${name} (SDK, debug)`, bytes: (await buildBenchFilter(name, 'debug')).wasm, plugin: { name: `bench-${name}`, ...(cfg?.configuration !== undefined ? { configuration: cfg.configuration } : {}) } });
  }
  modules.push({ label: 'SDK example hello (release)', bytes: (await buildFilter(join(bundledSdk, 'examples', 'hello'), { target: 'release' })).wasm, plugin: { name: 'hello', root_id: 'hello', configuration: { header: 'x-hi', value: 'there' } }, expect: (t) => assert.ok(has(t.res, 'x-hi', 'there')) });
  modules.push({ label: 'SDK example header-rules (release)', bytes: (await buildFilter(join(bundledSdk, 'examples', 'header-rules'), { target: 'release' })).wasm, plugin: { name: 'rules', root_id: 'header_rules', configuration: { request: { add: { 'x-a': '1' }, remove: ['x-internal'] }, response: { set: { server: 'weft' }, remove: ['x-powered-by'] } } }, expect: (t) => assert.ok(has(t.req, 'x-a', '1') && !has(t.req, 'x-internal') && has(t.res, 'server', 'weft') && !has(t.res, 'x-powered-by')) });
  modules.push({ label: 'SDK example body-redact (debug)', bytes: (await buildFilter(join(bundledSdk, 'examples', 'body-redact'), { target: 'debug' })).wasm, plugin: { name: 'redact', root_id: 'body_redact', configuration: { words: ['secret', 'password'] } }, expect: (t) => assert.equal(t.resBody, 'the *** is ***') });
  const source = helloWorldSource();
  for (const [build, args] of Object.entries(SDK_BUILDS)) {
    modules.push({ label: `@solo-io/proxy-runtime hello world (${build})`, bytes: (await compileWithSdk(source, args)).binary, plugin: { name: 'add_header', root_id: 'add_header', configuration: 'x' }, expect: (t) => assert.ok(has(t.res, 'hello', 'x')) });
  }
  for (const m of modules) {
    const file = join(dir, `${m.label.replace(/[^a-z0-9]+/gi, '-')}.wasm`);
    writeFileSync(file, m.bytes);
    const plain = await hostTranscript(file, m.plugin, false);
    const metered = await hostTranscript(file, m.plugin, true);
    assert.deepEqual(metered, plain, m.label);
    assert.deepEqual((plain.at(-2) as { failed: boolean }).failed, false, `${m.label}: the VM did not fail`);
    m.expect?.(plain[0] as Stream);
  }
});

test('the probe module (every hostcall re-exported) meters, validates and starts on the host', async () => {
  const bytes = await probeModule();
  const twin = new Twin(bytes, () => {
    const imports: Record<string, Record<string, unknown>> = {};
    for (const i of WebAssembly.Module.imports(new WebAssembly.Module(bytes))) (imports[i.module] ??= {})[i.name] = () => 0;
    return imports as WebAssembly.Imports;
  });
  twin.instantiate();
});
