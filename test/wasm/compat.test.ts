// Compatibility: the hello-world filter of @solo-io/proxy-runtime 0.1.8 (a public proxy-wasm SDK), compiled unmodified, runs on the host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { validateSnapshot, type Snapshot } from '../../api/snapshot/index.js';
import { FilterAction } from '../../proxy/http/filter.js';
import { HeaderMap } from '../../proxy/http/header-map.js';
import { PluginManager } from '../../proxy/wasm/plugin-manager.js';
import { inspectModule } from '../../proxy/wasm/module-inspect.js';
import { captureLogging, requestHeaders, TestStream } from './helpers.js';
import { compileWithSdk, helloWorldSource, SDK_BUILDS } from './compat-sdk.js';

let dir = '';
const modules: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-compat-'));
  const source = helloWorldSource();
  for (const [build, args] of Object.entries(SDK_BUILDS)) {
    const { binary, sourceMap } = await compileWithSdk(source, args);
    const file = join(dir, `${build}.wasm`);
    writeFileSync(file, binary);
    if (sourceMap) writeFileSync(`${file}.map`, sourceMap);
    modules[build] = file;
  }
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

/** The plugin as the SDK's README configures it for Envoy (name, root_id, vm_id, configuration). */
function snapshot(file: string, over: Record<string, unknown> = {}): Snapshot {
  const r = validateSnapshot({
    listeners: [{ name: 'l', address: '127.0.0.1:0', http: { route_table: 'rt', filter_chain: 'main' } }],
    route_tables: [{ name: 'rt', virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ direct_response: { status: 200 } }] }] }],
    plugins: [{ name: 'add_header', root_id: 'add_header', vm_id: 'my_vm_id', module: { file }, configuration: 'what ever you want', filter_chains: ['main'], ...over }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

test('the SDK example is an ABI 0.2.0 module with a start section, built by AssemblyScript 0.17', () => {
  for (const file of Object.values(modules)) {
    const info = inspectModule(new Uint8Array(readFileSync(file)));
    assert.ok(info.exports.some((e) => e.name === 'proxy_abi_version_0_2_0'));
    assert.ok(info.sections.some((s) => s.id === 8), 'top-level code runs from a start section');
    assert.ok(info.imports.some((i) => i.module === 'wasi_unstable' && i.name === 'proc_exit'));
  }
});

for (const build of Object.keys(SDK_BUILDS)) {
  for (const cpu of [0, '100ms'] as const) {
    test(`hello world (${build}, callback_cpu ${cpu}): adds "hello: <configuration>" to every response, contexts come and go cleanly`, async () => {
      const { logging, lines } = captureLogging('debug');
      const registry = new Registry();
      const pm = new PluginManager({ logging, registry });
      const prepared = await pm.prepare(snapshot(modules[build]!, { limits: { callback_cpu: cpu } }), undefined);
      const [factory] = prepared.http('main');
      assert.ok(factory);
      assert.equal(pm.plugin('add_header')!.module.abi, '0.2.0');
      assert.equal(pm.plugin('add_header')!.module.isMetered, cpu !== 0);
      for (let i = 0; i < 5; i++) {
        const s = new TestStream();
        const f = factory.create(s);
        const req = requestHeaders([['x-i', String(i)]]);
        assert.equal(f.onRequestHeaders!(req, true), FilterAction.Continue);
        assert.equal(req.get('hello'), undefined, 'the example only touches responses');
        const res = new HeaderMap([':status', '200', 'content-type', 'text/plain']);
        s.resHeaders = res;
        assert.equal(f.onResponseHeaders!(res, false), FilterAction.Continue);
        assert.deepEqual(res.getAll('hello'), ['what ever you want']);
        f.onStreamComplete!();
        assert.equal(s.replies.length, 0);
      }
      const vm = pm.plugin('add_header')!.vm!;
      assert.equal(vm.failed, false, vm.failure);
      // every stream context was deleted again; only the root context remains
      assert.equal(vm.contexts.size, 1);
      // the SDK's debug logs reach the structured log with the plugin's name
      const sdkLines = lines().filter((l) => l.component === 'wasm' && l.plugin === 'add_header' && typeof l.msg === 'string');
      assert.ok(sdkLines.some((l) => /ensureRootContext/.test(String(l.msg))), 'root context registration is logged');
      assert.ok(sdkLines.some((l) => /onConfigure/.test(String(l.msg))));
      prepared.release();
      await pm.close();
    });
  }
}

test('an unregistered root_id: the SDK aborts (proc_exit), the host logs its message and rejects the Snapshot', async () => {
  const { logging, lines } = captureLogging();
  const pm = new PluginManager({ logging });
  await assert.rejects(pm.prepare(snapshot(modules.untouched!, { root_id: 'nope' }), undefined), (e: Error) => /plugin "add_header"/.test(e.message) && /exit|proc_exit/i.test(e.message));
  const critical = lines().find((l) => /Missing root context factory for root id: nope/.test(String(l.msg)));
  assert.ok(critical, 'the SDK message was logged');
  assert.equal(critical.plugin, 'add_header');
  await pm.close();
});
