// Runtime behaviour of filters built with the SDK, on the FAKE in-test host: an abort logs its source
// position and the debug source map resolves the trap's code offsets to AssemblyScript file:line;
// memory stays flat over many requests with the SDK-driven collector (minimal runtime).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileExample, compileProbe, repoRoot } from './compile.js';
import { FakeHost } from './fake-host.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes source-map mappings into [generated column, source index, source line (0-based)] rows. */
function decodeMappings(mappings: string): [number, number, number][] {
  const rows: [number, number, number][] = [];
  let col = 0;
  let src = 0;
  let line = 0;
  let srcCol = 0;
  for (const group of mappings.split(';')) {
    col = 0;
    for (const seg of group.split(',')) {
      if (seg === '') continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += fields[0]!;
      if (fields.length >= 4) {
        src += fields[1]!;
        line += fields[2]!;
        srcCol += fields[3]!;
        rows.push([col, src, line]);
      }
    }
  }
  return rows.sort((a, b) => a[0] - b[0]);
}

function resolve(rows: [number, number, number][], sources: string[], offset: number): string | undefined {
  let best: [number, number, number] | undefined;
  for (const row of rows) {
    if (row[0] > offset) break;
    best = row;
  }
  return best ? `${sources[best[1]]}:${best[2] + 1}` : undefined;
}

function runRequests(host: FakeHost, from: number, count: number): void {
  for (let id = from; id < from + count; id++) {
    host.newStream(id, 1);
    host.requestHeaders(id, [[':path', `/items/${id}`], [':method', 'GET'], ['user-agent', 'bench']], true);
    host.responseHeaders(id, [[':status', '200'], ['content-type', 'text/plain']]);
    host.finish(id);
  }
}

function memoryBytes(host: FakeHost): number {
  return (host.instance.exports.memory as { buffer: ArrayBuffer }).buffer.byteLength;
}

describe('SDK runtime behaviour', () => {
  it('an abort logs file:line, and the source map resolves the trapping frames', async () => {
    const { wasm, sourceMap } = await compileProbe('api-probe.ts', 'debug');
    const source = readFileSync(join(repoRoot, 'test', 'sdk', 'assembly', 'api-probe.ts'), 'utf8').split('\n');
    const assertLine = source.findIndex((l) => l.includes('assert(n > 100')) + 1;
    assert.ok(assertLine > 0);

    const host = await FakeHost.load(wasm);
    let stack = '';
    assert.throws(() => host.exports.probe_abort!(5), (e: Error) => {
      stack = e.stack ?? '';
      return e.message === 'unreachable';
    });
    assert.deepEqual(host.logs, [{ level: 5, message: `abort: n must be over 100 at api-probe.ts:${assertLine}:3` }]);

    const map = JSON.parse(sourceMap!) as { sources: string[]; mappings: string };
    const rows = decodeMappings(map.mappings);
    const frames = [...stack.matchAll(/wasm-function\[\d+\]:0x([0-9a-f]+)/g)].map((m) => parseInt(m[1]!, 16));
    assert.ok(frames.length >= 2, `wasm frames in the stack:\n${stack}`);
    const resolved = frames.map((offset) => resolve(rows, map.sources, offset));
    assert.match(resolved[0]!, /^~lib\/@weft\/sdk\/assembly\/runtime\.ts:\d+$/, 'top frame is the SDK abort');
    assert.equal(resolved[1], `api-probe.ts:${assertLine}`, 'next frame is the failing assert');
    assert.equal(host.exports.probe_abort!(101), 101, 'the instance itself is still usable by the test');
  });

  it('keeps memory flat over 12,000 requests with the minimal runtime (and grows without a collector)', async () => {
    const flat = await FakeHost.load((await compileExample('hello', 'release')).wasm);
    flat.startRoot(1, '{}');
    runRequests(flat, 2, 3000);
    const settled = memoryBytes(flat);
    runRequests(flat, 3002, 12000);
    assert.equal(memoryBytes(flat), settled, 'minimal runtime: no growth after warm-up');

    const stub = await FakeHost.load((await compileExample('hello', 'release', ['--runtime', 'stub'])).wasm);
    stub.startRoot(1, '{}');
    runRequests(stub, 2, 3000);
    const before = memoryBytes(stub);
    runRequests(stub, 3002, 12000);
    assert.ok(memoryBytes(stub) > before, 'the stub runtime never frees: this test can tell the difference');
  });
});
