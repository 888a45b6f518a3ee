// Hot swap under load: Snapshots that change a plugin's configuration, limits and module are applied while keep-alive requests run; none fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildE2eFilter, buildSdkExample, Client, config, ModuleDir, startUpstream, startWasmProxy } from './e2e-harness.js';

const dir = new ModuleDir();
let e2e = '';
let rules = '';
before(async () => {
  e2e = await buildE2eFilter(dir);
  rules = await buildSdkExample(dir, 'header-rules');
});
after(() => dir.cleanup());

function plugins(version: string, extra: { memory?: string; counter?: boolean } = {}): string {
  let out = `  - name: version
    module: { file: ${rules} }
    root_id: header_rules
    configuration: { request: { set: { x-version: ${version} } } }
    filter_chains: [edge]
    limits: { memory: ${extra.memory ?? '64MiB'} }`;
  if (extra.counter) out += `\n  - { name: counted, vm_id: count, module: { file: ${e2e} }, configuration: { mode: count }, filter_chains: [edge] }`;
  return out;
}

test('hot swap under keep-alive load: configuration, VM limits and the module set change; zero failed requests; old VMs released', async () => {
  // the upstream holds each request a little, so streams are in flight across every swap
  const app = await startUpstream((_req, _body, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    }, 5);
  });
  const proxy = await startWasmProxy(config(app.port, plugins('v1')));
  const client = new Client(proxy.port());
  const failures: string[] = [];
  let sent = 0;
  let running = true;
  const worker = async () => {
    while (running) {
      try {
        const r = await client.send(`/load/${sent++}`);
        if (r.status !== 200) failures.push(`${r.status} ${r.body}`);
      } catch (e) {
        failures.push(String(e));
      }
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await pause(300);
    await proxy.apply(config(app.port, plugins('v2'))); // configuration: new root context, same VM
    await pause(300);
    await proxy.apply(config(app.port, plugins('v3', { memory: '32MiB' }))); // limits: a new VM
    await pause(300);
    await proxy.apply(config(app.port, plugins('v4', { counter: true }))); // a second module joins
    await pause(300);
    await proxy.apply(config(app.port, plugins('v5'))); // and leaves
    await pause(300);
  } finally {
    running = false;
    await Promise.all(workers);
  }
  try {
    assert.deepEqual(failures, [], `${failures.length} of ${sent} requests failed`);
    assert.ok(sent > 100, `enough load (${sent} requests)`);
    const versions = app.seen.map((s) => s.headers['x-version']);
    for (const v of ['v1', 'v2', 'v3', 'v4', 'v5']) assert.ok(versions.includes(v), `requests ran with ${v}`);
    assert.equal(versions.at(-1), 'v5');
    const counted = /weft_wasm_e2e_requests_total\{plugin="counted"\} (\d+)/.exec(await proxy.registry.metrics());
    assert.ok(counted && Number(counted[1]) > 0, 'the module that came and went counted the requests it saw');
    // once in-flight streams are done, only the current Snapshot holds VMs
    const until = Date.now() + 5000;
    while (proxy.dp.liveGenerations > 1 && Date.now() < until) await pause(20);
    assert.equal(proxy.dp.liveGenerations, 1);
    const metrics = await proxy.registry.metrics();
    assert.match(metrics, /weft_wasm_active_vms\{plugin="version"\} 1/);
    assert.match(metrics, /weft_wasm_active_vms\{plugin="counted"\} 0/);
    assert.equal((await client.send('/final')).status, 200);
    assert.equal(app.seen.at(-1)!.headers['x-version'], 'v5');
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});

test('a Snapshot whose plugin does not start is rejected; the running one keeps serving unchanged', async () => {
  const app = await startUpstream();
  const proxy = await startWasmProxy(config(app.port, plugins('v1')));
  const client = new Client(proxy.port());
  try {
    await assert.rejects(proxy.apply(config(app.port, `  - { name: bad, vm_id: bad, module: { file: ${e2e} }, configuration: "not json", filter_chains: [edge] }`)), /bad/);
    await assert.rejects(proxy.apply(config(app.port, `  - { name: missing, module: { file: ${dir.path}/nope.wasm }, filter_chains: [edge] }`)), /nope\.wasm/);
    assert.equal((await client.send('/still')).status, 200);
    assert.equal(app.seen.at(-1)!.headers['x-version'], 'v1');
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});
