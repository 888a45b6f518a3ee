// Measures the per-request cost of the hello example on the proxy's own Wasm host (through the SDK
// harness: the real VM, hostcalls and HttpFilter adapter), against a module that does nothing, for
// each AssemblyScript runtime, metered (the proxy's default 100 ms CPU budget) and not. Not a test:
//   npx tsc -p . && node dist/test/sdk/request-cost.bench.js
// Interleaved rounds; reports the median ns per request and the ratio to the no-op baseline.
import { join } from 'node:path';
import { buildFilter, bundledSdk, FilterHarness, weftRoot } from '../../sdk/testing/index.js';

const REQUESTS = 10000;
const ROUNDS = 7;

interface Config {
  name: string;
  wasm: Uint8Array;
  cpuMs: number;
  h?: FilterHarness;
  samples: number[];
}

function runRequests(h: FilterHarness, count: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const s = h.http();
    s.sendRequestHeaders({ ':path': '/items/1', ':method': 'GET', 'user-agent': 'bench' }, true);
    s.sendResponseHeaders({ ':status': '200', 'content-type': 'text/plain' }, true);
  }
  return Number(process.hrtime.bigint() - start) / count;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const hello = join(bundledSdk, 'examples', 'hello');
const noop = (await buildFilter(join(weftRoot, 'test', 'sdk', 'assembly'), { entries: ['null-filter.ts'] })).wasm;
const minimal = (await buildFilter(hello)).wasm;
const configs: Config[] = [
  { name: 'no-op module (no SDK), metered', wasm: noop, cpuMs: 100, samples: [] },
  { name: 'hello, minimal (default), metered', wasm: minimal, cpuMs: 100, samples: [] },
  { name: 'hello, incremental, metered', wasm: (await buildFilter(hello, { extraArgs: ['--runtime', 'incremental'] })).wasm, cpuMs: 100, samples: [] },
  { name: 'hello, stub, metered', wasm: (await buildFilter(hello, { extraArgs: ['--runtime', 'stub'] })).wasm, cpuMs: 100, samples: [] },
  { name: 'no-op module, unmetered', wasm: noop, cpuMs: 0, samples: [] },
  { name: 'hello, minimal, unmetered', wasm: minimal, cpuMs: 0, samples: [] },
];

for (const c of configs) {
  c.h = await FilterHarness.load(c.wasm, { configuration: {}, callbackCpuMs: c.cpuMs, logLevel: 'info' });
  runRequests(c.h, 5000); // warm up: V8 tiers up the module, the host and the harness
}
for (let round = 0; round < ROUNDS; round++) {
  for (const c of configs) c.samples.push(runRequests(c.h!, REQUESTS));
}
console.log(`per-request cost on the real host via the harness (${ROUNDS} interleaved rounds x ${REQUESTS} requests; 6 callbacks each)`);
for (const c of configs) {
  const base = median(configs.find((b) => b.wasm === noop && b.cpuMs === c.cpuMs)!.samples);
  const m = median(c.samples);
  const spread = (Math.max(...c.samples) - Math.min(...c.samples)) / m;
  console.log(
    `${c.name.padEnd(36)} ${m.toFixed(0).padStart(6)} ns/request  x${(m / base).toFixed(2)}  ` +
      `(+${(m - base).toFixed(0)} ns over no-op; spread ${(spread * 100).toFixed(0)}%)  ` +
      `module ${c.wasm.length} B  memory ${c.h!.memoryBytes / 1024} KiB`,
  );
  c.h!.close();
}
