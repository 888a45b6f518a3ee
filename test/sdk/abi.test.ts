// Every example filter builds in release and debug from source, imports only proxy-wasm v0.2.1 host
// functions with the spec's signatures, and exports the ABI marker, the allocator and the callbacks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALLBACKS, HOST_FUNCTIONS, REQUIRED_EXPORTS } from './abi-spec.js';
import { compileExample, compileProject, sdkRoot, type Target } from './compile.js';
import { FakeHost } from './fake-host.js';
import { formatSignature, inspectWasm } from './wasm-inspect.js';
import { Wasm } from './wasm-api.js';

const examples = readdirSync(join(sdkRoot, 'examples')).sort();

describe('SDK example filters against the proxy-wasm v0.2.1 ABI', () => {
  it('has the examples this suite expects', () => {
    assert.deepEqual(examples, ['auth-callout', 'body-redact', 'header-rules', 'hello', 'request-counter', 'tcp-guard']);
  });

  for (const name of examples) {
    for (const target of ['release', 'debug'] as Target[]) {
      it(`${name} (${target}) builds and speaks only the spec's ABI`, async () => {
        const { wasm, sourceMap } = await compileExample(name, target);
        new Wasm.Module(wasm);
        const info = inspectWasm(wasm);

        for (const imp of info.imports) {
          const key = `${imp.module}.${imp.name}`;
          assert.equal(imp.kind, 'function', `${key} must be a function import`);
          const spec = HOST_FUNCTIONS.get(key);
          assert.ok(spec, `${name} imports ${key}, which is not a proxy-wasm v0.2.1 host function`);
          assert.equal(formatSignature(imp.signature), formatSignature(spec), `signature of ${key}`);
        }

        const exported = new Map(info.exports.map((e) => [e.name, e]));
        for (const required of REQUIRED_EXPORTS) assert.ok(exported.has(required), `${name} must export ${required}`);
        for (const e of info.exports) {
          const spec = CALLBACKS.get(e.name);
          if (spec) assert.equal(formatSignature(e.signature), formatSignature(spec), `signature of export ${e.name}`);
        }
        assert.equal(info.hasStartSection, false, 'start code runs from _initialize, not a start section');
        assert.equal(exported.get('memory')?.kind, 'memory');

        if (target === 'debug') {
          const url = info.customSections.get('sourceMappingURL');
          assert.ok(url, 'debug build carries a sourceMappingURL section');
          assert.match(new TextDecoder().decode(url.subarray(1)), /\.wasm\.map$/);
          assert.ok(sourceMap, 'debug build emits a source map');
          const map = JSON.parse(sourceMap) as { sources: string[]; mappings: string };
          assert.ok(map.sources.includes('assembly/index.ts'), 'map names the filter source');
          assert.ok(map.sources.some((s) => s.startsWith('~lib/@weft/sdk/assembly/')), 'map names SDK sources');
          assert.ok(map.mappings.length > 0);
        } else {
          assert.equal(info.customSections.has('sourceMappingURL'), false);
          assert.ok(wasm.length < 64 * 1024, `release build of ${name} is ${wasm.length} bytes`);
        }
      });
    }
  }

  it("the README's hello filter builds as a user's project would and works", async () => {
    const readme = readFileSync(join(sdkRoot, 'README.md'), 'utf8');
    const source = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(source, 'README has a hello filter');
    const dir = mkdtempSync(join(tmpdir(), 'weft-sdk-readme-'));
    try {
      writeFileSync(join(dir, 'asconfig.json'), JSON.stringify({
        extends: join(sdkRoot, 'asconfig.json'),
        entries: ['assembly/index.ts'],
        targets: { release: { outFile: 'build/filter.wasm' } },
      }));
      mkdirSync(join(dir, 'assembly'));
      writeFileSync(join(dir, 'assembly', 'index.ts'), source);
      const { wasm } = await compileProject(join(dir, 'asconfig.json'), 'release');
      const host = await FakeHost.load(wasm);
      host.startRoot(1);
      host.newStream(2, 1);
      host.responseHeaders(2, [[':status', '200']]);
      assert.equal(host.header(2, 2, 'x-hello'), 'world');
      console.log(`README hello filter, release build: ${wasm.length} bytes`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
