// Measures the per-request cost of the hello example on the FAKE in-test host, against a filter that
// does nothing (same host, same driving code), for each AssemblyScript runtime. Not a test: run
//   npx tsc -p . && node dist/test/sdk/request-cost.bench.js
// Interleaved rounds; reports the median ns per request and the ratio to the no-op baseline.
import { compileExample, compileProbe } from './compile.js';
import { FakeHost } from './fake-host.js';

const REQUESTS = 20000;
const ROUNDS = 7;

interface Config {
  name: string;
  wasm: Uint8Array;
  host?: FakeHost;
  samples: number[];
  nextId: number;
}

function runRequests(c: Config, count: number): number {
  const host = c.host!;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const id = c.nextId++;
    host.newStream(id, 1);
    host.requestHeaders(id, [[':path', '/items/1'], [':method', 'GET'], ['user-agent', 'bench']], true);
    host.responseHeaders(id, [[':status', '200'], ['content-type', 'text/plain']]);
    host.finish(id);
  }
  return Number(process.hrtime.bigint() - start) / count;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const configs: Config[] = [
  { name: 'no-op filter (no SDK)', wasm: (await compileProbe('null-filter.ts', 'release')).wasm, samples: [], nextId: 2 },
  { name: 'hello, --runtime minimal (default)', wasm: (await compileExample('hello', 'release')).wasm, samples: [], nextId: 2 },
  { name: 'hello, --runtime incremental', wasm: (await compileExample('hello', 'release', ['--runtime', 'incremental'])).wasm, samples: [], nextId: 2 },
  { name: 'hello, --runtime stub', wasm: (await compileExample('hello', 'release', ['--runtime', 'stub'])).wasm, samples: [], nextId: 2 },
];

for (const c of configs) {
  c.host = await FakeHost.load(c.wasm);
  c.host.logLevel = 2;
  c.host.startRoot(1, '{}');
  runRequests(c, 5000); // warm up: V8 tiers up the module and the fake host
}
for (let round = 0; round < ROUNDS; round++) {
  for (const c of configs) c.samples.push(runRequests(c, REQUESTS));
}
const base = median(configs[0]!.samples);
console.log(`per-request cost on the fake host (${ROUNDS} interleaved rounds x ${REQUESTS} requests; 6 callbacks each)`);
for (const c of configs) {
  const m = median(c.samples);
  const spread = (Math.max(...c.samples) - Math.min(...c.samples)) / m;
  const memory = (c.host!.instance.exports.memory as { buffer: ArrayBuffer }).buffer.byteLength;
  console.log(
    `${c.name.padEnd(36)} ${m.toFixed(0).padStart(6)} ns/request  x${(m / base).toFixed(2)}  ` +
    `(+${(m - base).toFixed(0)} ns over no-op; spread ${(spread * 100).toFixed(0)}%)  ` +
    `module ${c.wasm.length} B  memory ${memory / 1024} KiB`,
  );
}
