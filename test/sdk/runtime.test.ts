// Runtime behaviour of filters built with the SDK on the proxy's own Wasm host: an abort logs its
// AssemblyScript position and fails the VM; a trap in filter code is mapped to file:line through the
// debug build's source map; memory stays flat over many requests with the minimal runtime.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFilter, bundledSdk, FilterHarness, weftRoot } from '../../sdk/testing/index.js';

const probeDir = join(weftRoot, 'test', 'sdk', 'assembly');

function lineOf(text: string): number {
  const source = readFileSync(join(probeDir, 'api-probe.ts'), 'utf8').split('\n');
  const n = source.findIndex((l) => l.includes(text)) + 1;
  assert.ok(n > 0, text);
  return n;
}

function runRequests(h: FilterHarness, count: number): void {
  for (let i = 0; i < count; i++) {
    const s = h.http();
    s.sendRequestHeaders({ ':path': `/items/${i}`, ':method': 'GET', 'user-agent': 'bench' }, true);
    s.sendResponseHeaders({ ':status': '200', 'content-type': 'text/plain' }, true);
  }
}

describe('SDK runtime behaviour on the real host', () => {
  it('an abort logs file:line and fails the VM; a trap in filter code is located through the source map', async () => {
    const built = await buildFilter(probeDir, { entries: ['api-probe.ts'], target: 'debug' });
    assert.ok(built.sourceMap);
    const aborting = await FilterHarness.load(built, { rootId: 'probe' });
    assert.equal(aborting.callExport('probe_abort', 101), 101);
    assert.equal(aborting.callExport('probe_abort', 5), -1);
    assert.ok(aborting.failed);
    assert.ok(aborting.logMessages('critical').includes(`abort: n must be over 100 at api-probe.ts:${lineOf('assert(n > 100')}:3`));
    const failure = aborting.logs.find((l) => l.fields.trap !== undefined)!;
    assert.match(String(failure.fields.location), /^~lib\/@weft\/sdk\/assembly\/runtime\.ts:\d+:\d+$/, 'the trap itself is in the SDK abort handler');

    const trapping = await FilterHarness.load(built, { rootId: 'probe' });
    assert.equal(trapping.callExport('probe_trap', -1), -1);
    const trap = trapping.logs.find((l) => l.fields.trap !== undefined)!;
    assert.equal(trap.fields.trap, 'trap: unreachable');
    assert.equal(trap.fields.location, `api-probe.ts:${lineOf('unreachable();')}:14`);
    assert.equal(trapping.failure, 'trap: unreachable');
    // A failed VM answers streams as its fail strategy says (closed: 503).
    const s = trapping.http();
    s.sendRequestHeaders({}, true);
    assert.equal(s.localResponse?.status, 503);
    assert.equal(s.localResponse?.headers.get('x-weft-error'), 'wasm_plugin_failed');
  });

  it('keeps memory flat over 12,000 requests with the minimal runtime (and grows without a collector)', async () => {
    const hello = join(bundledSdk, 'examples', 'hello');
    const flat = await FilterHarness.load(await buildFilter(hello), { configuration: {} });
    runRequests(flat, 3000);
    const settled = flat.memoryBytes;
    runRequests(flat, 12000);
    assert.equal(flat.memoryBytes, settled, 'minimal runtime: no growth after warm-up');

    const stub = await FilterHarness.load(await buildFilter(hello, { extraArgs: ['--runtime', 'stub'] }), { configuration: {} });
    runRequests(stub, 3000);
    const before = stub.memoryBytes;
    runRequests(stub, 12000);
    assert.ok(stub.memoryBytes > before, 'the stub runtime never frees: this test can tell the difference');
  });
});
