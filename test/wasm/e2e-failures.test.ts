// Wasm failures through the proxy: a trap under each fail strategy, a runaway loop stopped while other traffic flows, the memory cap.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildE2eFilter, Client, config, ModuleDir, startUpstream, startWasmProxy, type WasmProxy } from './e2e-harness.js';

const dir = new ModuleDir();
let e2e = '';
before(async () => {
  e2e = await buildE2eFilter(dir);
});
after(() => dir.cleanup());

function trapPlugin(strategy: string): string {
  return `  - { name: trapper, vm_id: trap, module: { file: ${e2e} }, configuration: { mode: trap }, filter_chains: [edge], fail_strategy: ${strategy} }`;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function trapLogged(proxy: WasmProxy): Record<string, unknown> | undefined {
  return proxy.logs.lines.find((l) => l.component === 'wasm' && l.trap !== undefined);
}

test('trap, fail_strategy closed: the trapping request and every later one get 503 with a JSON body; the trap is logged with its source line and counted', async () => {
  const app = await startUpstream();
  const proxy = await startWasmProxy(config(app.port, trapPlugin('closed')));
  const client = new Client(proxy.port());
  try {
    assert.equal((await client.send('/before')).status, 200);
    assert.equal(app.seen.at(-1)!.headers['x-trap-plugin'], 'alive');
    for (const headers of [{ 'x-trap': '1' }, {}] as Record<string, string>[]) {
      const r = await client.send('/t', { headers });
      assert.equal(r.status, 503);
      assert.equal(r.headers['x-weft-error'], 'wasm_plugin_failed');
      const body = JSON.parse(r.body) as { error: string; plugin: string; message: string };
      assert.deepEqual([body.error, body.plugin], ['wasm_plugin_failed', 'trapper']);
      assert.match(body.message, /unreachable/);
    }
    assert.equal(app.seen.length, 1, 'nothing after the trap reached the upstream');
    const line = trapLogged(proxy);
    assert.equal(line?.plugin, 'trapper');
    assert.match(String(line?.location), /e2e\.ts:\d+:\d+/, 'the AssemblyScript source line, from the source map next to the module');
    assert.match(await proxy.registry.metrics(), /weft_wasm_traps_total\{plugin="trapper"\} 1/);
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});

test('trap, fail_strategy open: the filter is skipped from then on, requests reach the upstream without it', async () => {
  const app = await startUpstream();
  const proxy = await startWasmProxy(config(app.port, trapPlugin('open')));
  const client = new Client(proxy.port());
  try {
    const trapped = await client.send('/t', { headers: { 'x-trap': '1' } });
    assert.equal(trapped.status, 200, 'the trapping request itself goes on without the filter');
    const later = await client.send('/later');
    assert.equal(later.status, 200);
    assert.equal(app.seen.at(-1)!.headers['x-trap-plugin'], undefined, 'the filter no longer runs');
    assert.match(await proxy.registry.metrics(), /weft_wasm_traps_total\{plugin="trapper"\} 1/);
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});

test('trap, fail_strategy reload: 503 while the VM is down, then a new VM serves again; restarts counted', async () => {
  const app = await startUpstream();
  const proxy = await startWasmProxy(config(app.port, trapPlugin('reload')));
  const client = new Client(proxy.port());
  try {
    assert.equal((await client.send('/t', { headers: { 'x-trap': '1' } })).status, 503);
    await waitFor('the replaced VM to serve', async () => (await client.send('/again')).status === 200);
    assert.equal(app.seen.at(-1)!.headers['x-trap-plugin'], 'alive', 'the new VM runs the filter');
    assert.match(await proxy.registry.metrics(), /weft_wasm_vm_restarts_total\{plugin="trapper"\} 1/);
    // and it can fail and come back again
    assert.equal((await client.send('/t', { headers: { 'x-trap': '1' } })).status, 503);
    await waitFor('the second replacement', async () => (await client.send('/again')).status === 200);
    assert.match(await proxy.registry.metrics(), /weft_wasm_traps_total\{plugin="trapper"\} 2/);
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});

test('runaway loop: the CPU budget stops it (503), while another plugin and listener keep serving', async () => {
  const app = await startUpstream();
  const proxy = await startWasmProxy(
    config(
      app.port,
      `  - { name: spinner, vm_id: spin, module: { file: ${e2e} }, configuration: { mode: spin }, filter_chains: [edge], limits: { callback_cpu: 30ms } }
  - { name: bystander, vm_id: other, module: { file: ${e2e} }, configuration: { mode: trap }, filter_chains: [side] }`,
      { listeners: `  - name: side\n    address: 127.0.0.1:0\n    http: { route_table: rt, filter_chain: side }` },
    ),
  );
  const main = new Client(proxy.port());
  const side = new Client(proxy.port('side'));
  try {
    assert.equal((await main.send('/ok')).status, 200);
    // other traffic in flight while the loop runs: all of it is served
    const others = Array.from({ length: 20 }, (_, i) => side.send(`/side/${i}`));
    const t0 = performance.now();
    const spun = await main.send('/spin', { headers: { 'x-spin': '1' } });
    const took = performance.now() - t0;
    assert.equal(spun.status, 503);
    assert.match(JSON.parse(spun.body).message, /CPU budget exceeded/);
    assert.ok(took < 10_000, `stopped (took ${took.toFixed(0)} ms)`);
    assert.deepEqual((await Promise.all(others)).map((r) => r.status), Array(20).fill(200));
    assert.equal(app.seen.filter((s) => s.url.startsWith('/side/')).every((s) => s.headers['x-trap-plugin'] === 'alive'), true);
    // the proxy still serves new requests on the other listener
    assert.equal((await side.send('/after')).status, 200);
  } finally {
    await main.close();
    await side.close();
    await proxy.close();
    await app.close();
  }
});

test('memory cap: memory.grow past limits.memory fails inside the module (-1), within it succeeds; the VM keeps running', async () => {
  const app = await startUpstream();
  const proxy = await startWasmProxy(config(app.port, `  - { name: grower, vm_id: grow, module: { file: ${e2e} }, configuration: { mode: grow }, filter_chains: [edge], limits: { memory: 4MiB } }`));
  const client = new Client(proxy.port());
  try {
    const big = await client.send('/g', { headers: { 'x-grow': '1000' } });
    assert.equal(big.status, 200);
    assert.equal(big.headers['x-grow-result'], '-1', '1000 pages (62.5 MiB) is beyond the 4 MiB cap');
    const small = await client.send('/g', { headers: { 'x-grow': '1' } });
    assert.equal(small.status, 200);
    assert.ok(Number(small.headers['x-grow-result']) > 0, 'one page fits: the old size in pages is returned');
    const vm = proxy.plugins.plugin('grower')!.vm!;
    assert.ok(vm.memory.buffer.byteLength <= 4 * 1024 * 1024);
    assert.equal(vm.failed, false);
  } finally {
    await client.close();
    await proxy.close();
    await app.close();
  }
});
