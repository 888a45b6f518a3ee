// Every example filter builds in release and debug from source, imports only proxy-wasm v0.2.1 host
// functions with the spec's signatures, and exports the ABI marker, the allocator and the callbacks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFuncType, inspectModule } from '../../proxy/wasm/index.js';
import { buildFilter, bundledSdk as sdkRoot, checkSpecAbi, FilterHarness, REQUIRED_EXPORTS, type BuildTarget as Target } from '../../sdk/testing/index.js';

const examples = readdirSync(join(sdkRoot, 'examples')).sort();

describe('SDK example filters against the proxy-wasm v0.2.1 ABI', () => {
  it('has the examples this suite expects', () => {
    assert.deepEqual(examples, ['auth-callout', 'body-redact', 'header-rules', 'hello', 'request-counter', 'tcp-guard']);
  });

  for (const name of examples) {
    for (const target of ['release', 'debug'] as Target[]) {
      it(`${name} (${target}) builds and speaks only the spec's ABI`, async () => {
        const { wasm, sourceMap } = await buildFilter(join(sdkRoot, 'examples', name), { target });
        new WebAssembly.Module(wasm);
        const report = checkSpecAbi(wasm);
        assert.deepEqual(report.problems, [], `${name} speaks only the spec's ABI`);
        const info = inspectModule(wasm);
        const exported = new Set(info.exports.map((e) => e.name));
        for (const required of REQUIRED_EXPORTS) assert.ok(exported.has(required), `${name} must export ${required}`);
        assert.ok(info.imports.every((i) => i.kind === 'function'), info.imports.map((i) => `${i.module}.${i.name}: ${i.type ? formatFuncType(i.type) : i.kind}`).join(', '));

        if (target === 'debug') {
          assert.match(report.sourceMappingURL ?? '', /\.wasm\.map$/, 'debug build carries a sourceMappingURL section');
          assert.ok(sourceMap, 'debug build emits a source map');
          const map = JSON.parse(sourceMap) as { sources: string[]; mappings: string };
          assert.ok(map.sources.includes('assembly/index.ts'), 'map names the filter source');
          assert.ok(map.sources.some((s) => s.startsWith('~lib/@weft/sdk/assembly/')), 'map names SDK sources');
          assert.ok(map.mappings.length > 0);
        } else {
          assert.equal(report.sourceMappingURL, undefined);
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
      const { wasm } = await buildFilter(dir, { cache: false });
      const h = await FilterHarness.load(wasm);
      const s = h.http();
      s.sendRequestHeaders({}, true);
      s.sendResponseHeaders({ ':status': '200' }, true);
      assert.equal(s.response.headers?.get('x-hello'), 'world');
      h.close();
      console.log(`README hello filter, release build: ${wasm.length} bytes`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
