// A proxy started without plugins loads no Wasm host; a reload with a bad module changes nothing; one with a good module loads the host and the filter serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { wat } from '../wasm/helpers.js';
import { WeftProcess } from './weft-process.js';
import { configText, getText, serving, tempDir, TestUpstream, writeAtomic } from './fixtures.js';

/** Adds the response header "x-filtered: yes" (proxy-wasm ABI 0.2.1, map type 2 = response headers). */
const ADD_RESPONSE_HEADER = `(module
  (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "x-filtered")
  (data (i32.const 1100) "yes")
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 4096))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (drop (call $add (i32.const 2) (i32.const 1024) (i32.const 10) (i32.const 1100) (i32.const 3)))
    (i32.const 0)))`;

test('a plugin added by a reload goes live on a proxy that started without the Wasm host', async (t) => {
  const upstream = await TestUpstream.start(t, 'up');
  const dir = tempDir(t);
  writeFileSync(join(dir, 'filter.wasm'), await wat(ADD_RESPONSE_HEADER));
  writeFileSync(join(dir, 'garbage.wasm'), 'this is not WebAssembly');
  const path = join(dir, 'weft.yaml');
  const plain = configText({ clusters: { up: upstream.port }, routes: [{ prefix: '/', cluster: 'up' }] });
  writeFileSync(path, plain);
  const weft = new WeftProcess(['proxy', '--config', path]);
  t.after(() => weft.stop());
  const { admin, web } = await serving(weft);

  const before = await getText(`${web}/x`);
  assert.equal(before.status, 200);
  assert.equal(before.headers.get('x-filtered'), null);
  assert.doesNotMatch((await getText(`${admin}/stats/prometheus`)).text, /weft_wasm_/, 'no plugin, no Wasm host (and none of its metrics)');

  const withPlugin = (file: string) => {
    const doc = JSON.parse(plain) as { listeners: { http: Record<string, unknown> }[]; plugins?: unknown[] };
    doc.listeners[0]!.http.filter_chain = 'edge';
    doc.plugins = [{ name: 'tagger', module: { file }, filter_chains: ['edge'] }];
    return `${JSON.stringify(doc, null, 2)}\n`;
  };
  const version = (await weft.waitForMsg('weft serving')).version;
  writeAtomic(path, withPlugin('garbage.wasm'));
  const refused = await weft.waitFor((l) => typeof l.msg === 'string' && /^config (rejected|not applied)/.test(l.msg), 'the refusal of the bad module');
  assert.match(JSON.stringify(refused), /garbage\.wasm|tagger/, 'the error names the module or the plugin');
  const still = await getText(`${web}/x`);
  assert.equal(still.status, 200, 'the old config keeps serving');
  assert.equal(still.headers.get('x-filtered'), null);
  assert.equal(((await (await fetch(`${admin}/config_dump`)).json()) as { version: string }).version, version);

  writeAtomic(path, withPlugin('filter.wasm'));
  await weft.waitFor((l) => l.msg === 'config applied', 'the reload that adds the plugin');

  const after = await getText(`${web}/x`);
  assert.equal(after.status, 200);
  assert.equal(after.headers.get('x-filtered'), 'yes');
  assert.match((await getText(`${admin}/stats/prometheus`)).text, /weft_wasm_active_vms\{plugin="tagger"\} 1/);
});
