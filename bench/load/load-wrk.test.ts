import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrkOutput } from './load-wrk.js';

const OUTPUT = `Running 5s test @ http://127.0.0.1:40000/tiny
  1 threads and 50 connections
  250000 requests in 5.00s, 30.00MB read
Requests/sec:  50000.00
Transfer/sec:      6.00MB
WEFT_BENCH_RESULT {"requests":250000,"duration_us":5000000,"connect":0,"read":1,"write":0,"status":3,"timeout":2,"p50_us":912.0,"p99_us":2480.5}
`;

test('parseWrkOutput reads the Lua hook line: rate, percentiles in ms, errors apart from non-2xx', () => {
  const r = parseWrkOutput(OUTPUT);
  assert.equal(r.requests, 250000);
  assert.equal(r.durationS, 5);
  assert.equal(r.rps, 50000);
  assert.equal(r.p50Ms, 0.912);
  assert.equal(r.p99Ms, 2.4805);
  assert.equal(r.non2xx, 3);
  assert.equal(r.errors, 3);
  assert.equal(r.errorDetail, 'connect 0, read 1, write 0, timeout 2');
});

test('parseWrkOutput fails loudly when wrk printed no result line', () => {
  assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n'), /wrk printed no result: unable to connect/);
});
