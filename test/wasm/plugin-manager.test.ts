// PluginManager as the FilterChainBuilder: priorities, reuse across Snapshots, hot swap, NACK on bad plugins, shared VMs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { validateSnapshot, type Snapshot } from '../../api/snapshot/index.js';
import { PluginManager } from '../../proxy/wasm/plugin-manager.js';
import { sha256Hex } from '../../proxy/wasm/module-loader.js';
import { FilterAction } from '../../proxy/http/filter.js';
import { captureLogging, compileAs, TestStream, requestHeaders } from './helpers.js';

/** An AssemblyScript filter that adds `x-<name>: <configuration>` to requests (raw ABI, no SDK). */
function tagger(): string {
  return `
@external("env", "proxy_get_buffer_bytes") declare function get_buffer_bytes(t: i32, start: i32, max: i32, pp: usize, sp: usize): i32;
@external("env", "proxy_add_header_map_value") declare function add_header(t: i32, kp: usize, kl: i32, vp: usize, vl: i32): i32;
@external("env", "proxy_get_property") declare function get_property(pp: usize, pl: i32, rp: usize, rl: usize): i32;
export function proxy_abi_version_0_2_1(): void {}
export function malloc(size: usize): usize { return heap.alloc(size); }
let config: ArrayBuffer = new ArrayBuffer(0);
let name: ArrayBuffer = new ArrayBuffer(0);
const scratch = memory.data(16);
export function proxy_on_configure(root: u32, size: u32): u32 {
  if (get_buffer_bytes(7, 0, size, scratch, scratch + 4) != 0) return 0;
  const p = load<usize>(scratch); const n = load<u32>(scratch + 4);
  config = new ArrayBuffer(n); memory.copy(changetype<usize>(config), p, n);
  if (String.UTF8.decode(config) == "reject") return 0;
  const key = String.UTF8.encode("plugin_name");
  get_property(changetype<usize>(key), key.byteLength, scratch, scratch + 4);
  const np = load<usize>(scratch); const nl = load<u32>(scratch + 4);
  name = String.UTF8.encode("x-" + String.UTF8.decodeUnsafe(np, nl));
  return 1;
}
export function proxy_on_request_headers(ctx: u32, n: u32, eos: u32): u32 {
  add_header(0, changetype<usize>(name), name.byteLength, changetype<usize>(config), config.byteLength);
  return 0;
}
`;
}

let modulePath = '';
let dir = '';
after(() => dir && rmSync(dir, { recursive: true, force: true }));

async function setup(): Promise<void> {
  if (modulePath) return;
  dir = mkdtempSync(join(tmpdir(), 'weft-wasm-'));
  const { binary } = await compileAs({ 'tagger.ts': tagger() }, 'tagger.ts', ['--runtime', 'minimal']);
  modulePath = join(dir, 'tagger.wasm');
  writeFileSync(modulePath, binary);
}

function snapshot(plugins: Record<string, unknown>[]): Snapshot {
  const r = validateSnapshot({
    listeners: [{ name: 'l', address: '127.0.0.1:0', http: { route_table: 'rt', filter_chain: 'main' } }],
    route_tables: [{ name: 'rt', virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ direct_response: { status: 200 } }] }] }],
    plugins,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

function run(factories: readonly { create: (cb: TestStream) => { onRequestHeaders?: (h: ReturnType<typeof requestHeaders>, e: boolean) => number; onStreamComplete?: () => void } }[]) {
  const h = requestHeaders();
  for (const f of factories) {
    const s = new TestStream();
    const filter = f.create(s);
    assert.equal(filter.onRequestHeaders?.(h, true) ?? FilterAction.Continue, FilterAction.Continue);
    filter.onStreamComplete?.();
  }
  return h;
}

test('chains in priority order; unchanged plugins keep their VM; changed ones get a new root; old streams finish on the old one', async () => {
  await setup();
  const { logging } = captureLogging();
  const registry = new Registry();
  const pm = new PluginManager({ logging, registry });
  const a = { name: 'a', module: { file: modulePath }, configuration: 'one', filter_chains: ['main'], priority: 1, limits: { callback_cpu: '50ms' } };
  const b = { name: 'b', module: { file: modulePath, sha256: sha256Hex(await import('node:fs').then((fs) => fs.readFileSync(modulePath))) }, configuration: 'two', filter_chains: ['main'], priority: 5 };
  const p1 = await pm.prepare(snapshot([a, b]), undefined);
  assert.deepEqual(p1.http('main').map((f) => f.name), ['b', 'a']);
  assert.equal(p1.http('other').length, 0);
  const h1 = run(p1.http('main') as never);
  assert.deepEqual(h1.getAll('x-a'), ['one']);
  assert.deepEqual(h1.getAll('x-b'), ['two']);
  const vmA1 = pm.plugin('a')!.vm;
  // a stream starts on the first Snapshot and stays open across the swap
  const held = new TestStream();
  const heldFilter = p1.http('main').find((f) => f.name === 'a')!.create(held);
  // Snapshot 2: a unchanged, b's configuration changed
  const p2 = await pm.prepare(snapshot([a, { ...b, configuration: 'three' }]), p1);
  assert.equal(pm.plugin('a')!.vm, vmA1, 'unchanged plugin kept its VM');
  assert.equal(p2.http('main').find((f) => f.name === 'a'), p1.http('main').find((f) => f.name === 'a'), 'same factory');
  assert.notEqual(p2.http('main').find((f) => f.name === 'b'), p1.http('main').find((f) => f.name === 'b'));
  const h2 = run(p2.http('main') as never);
  assert.deepEqual(h2.getAll('x-b'), ['three']);
  p1.release();
  // the old stream still runs on its plugin (a is shared by both Snapshots)
  const hh = requestHeaders();
  assert.equal(heldFilter.onRequestHeaders!(hh, true), FilterAction.Continue);
  assert.deepEqual(hh.getAll('x-a'), ['one']);
  heldFilter.onStreamComplete!();
  assert.match(await registry.metrics(), /weft_wasm_active_vms\{plugin="a"\} 1/);
  p2.release();
  assert.match(await registry.metrics(), /weft_wasm_active_vms\{plugin="a"\} 0/);
  await pm.close();
});

test('prepare rejects (NACK) a bad module, a hash mismatch, a rejected configuration; nothing leaks', async () => {
  await setup();
  const { logging } = captureLogging();
  const registry = new Registry();
  const pm = new PluginManager({ logging, registry });
  const good = { name: 'good', module: { file: modulePath }, configuration: 'ok', filter_chains: ['main'] };
  const bad = join(dir, 'bad.wasm');
  writeFileSync(bad, 'not wasm');
  await assert.rejects(pm.prepare(snapshot([good, { name: 'bad', module: { file: bad }, filter_chains: ['main'] }]), undefined), (e: Error & { code?: string }) => e.code === 'wasm_module_invalid' && /plugin "bad"/.test(e.message));
  await assert.rejects(pm.prepare(snapshot([{ name: 'h', module: { file: modulePath, sha256: '0'.repeat(64) }, filter_chains: ['main'] }]), undefined), /not the configured/);
  await assert.rejects(pm.prepare(snapshot([{ ...good, configuration: 'reject' }]), undefined), /proxy_on_configure returned false/);
  await assert.rejects(pm.prepare(snapshot([{ name: 'nofile', module: { sha256: 'a'.repeat(64) }, filter_chains: ['main'] }]), undefined), /no module with sha256/);
  assert.match(await registry.metrics(), /weft_wasm_active_vms\{plugin="good"\} 0/);
  const ok = await pm.prepare(snapshot([good]), undefined);
  assert.equal(ok.http('main').length, 1);
  ok.release();
  await pm.close();
});

test('plugins with the same vm_id and module share one VM; modules by sha256 come from the cache directory', async () => {
  await setup();
  const { logging } = captureLogging();
  const bytes = (await import('node:fs')).readFileSync(modulePath);
  const sha = sha256Hex(bytes);
  writeFileSync(join(dir, `${sha}.wasm`), bytes);
  const pm = new PluginManager({ logging, modules: { cacheDir: dir } });
  const p = await pm.prepare(
    snapshot([
      { name: 'x', module: { sha256: sha }, vm_id: 'shared', configuration: '1', filter_chains: ['main'] },
      { name: 'y', module: { sha256: sha }, vm_id: 'shared', configuration: '2', filter_chains: ['main'] },
      { name: 'z', module: { file: modulePath }, vm_id: 'solo', configuration: '3', filter_chains: ['main'] },
    ]),
    undefined,
  );
  assert.equal(pm.plugin('x')!.vm, pm.plugin('y')!.vm);
  assert.notEqual(pm.plugin('x')!.vm, pm.plugin('z')!.vm);
  const h = run(p.http('main') as never);
  // This module keeps its configuration in module globals (not per root context): on a shared VM
  // the last on_configure wins for both plugins, which shows they run in one instance.
  assert.deepEqual(h.getAll('x-y'), ['2', '2']);
  assert.equal(h.get('x-z'), '3');
  p.release();
  await pm.close();
});
