import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseH2loadLog, parseH2loadOutput } from './load-h2load.js';
import { percentile } from '../stats.js';

const OUTPUT = `Main benchmark duration is over for thread #0. Stopping all clients.
Stopped all clients for thread #0

finished in 2.00s, 45256.00 req/s, 3.45MB/s
requests: 90512 total, 90612 started, 90512 done, 90500 succeeded, 12 failed, 2 errored, 1 timeout
status codes: 90500 2xx, 0 3xx, 4 4xx, 6 5xx
traffic: 3.45MB (3617312) total, 1.73MB (1810240) headers (space savings 95.08%), 1.13MB (1176656) data
`;

test('parseH2loadOutput reads duration, rate and outcome counts', () => {
  const s = parseH2loadOutput(OUTPUT);
  assert.deepEqual(s, { durationS: 2, rps: 45256, done: 90512, succeeded: 90500, failed: 12, errored: 2, timeout: 1, non2xx: 10 });
});

test('parseH2loadOutput accepts durations printed in ms and rejects output without a summary', () => {
  assert.equal(parseH2loadOutput(OUTPUT.replace('finished in 2.00s', 'finished in 900.50ms')).durationS, 0.9005);
  assert.throws(() => parseH2loadOutput('connect: Connection refused\n'), /h2load printed no summary/);
});

test('parseH2loadLog keeps successful requests only, sorted, in microseconds', () => {
  const log = ['1795324204469053\t200\t4995', '1795324204469054\t-1\t10', '1795324204469054\t503\t12', '1795324204469055\t200\t120', '1795324204469056\t204\t7000', ''].join('\n');
  const lat = parseH2loadLog(log);
  assert.deepEqual([...lat], [120, 4995, 7000]);
  assert.equal(percentile(lat, 50), 4995);
  assert.equal(parseH2loadLog('').length, 0);
});
