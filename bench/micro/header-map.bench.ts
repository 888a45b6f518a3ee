// Micro benchmarks of HeaderMap, the header representation every request and response goes through.
import type { Bench } from 'tinybench';
import { HeaderMap } from '../../proxy/http/header-map.js';
import { REQUEST } from './fixtures.js';

// Results land here so the work cannot be optimized away. Lookups are timed 100 at a time: one
// alone is shorter than the timer's own overhead.
let sink = 0;

export default function headerMapBench(bench: Bench): void {
  const map = HeaderMap.from(REQUEST);
  bench
    .add('HeaderMap.from (12 fields)', () => {
      sink += HeaderMap.from(REQUEST).size;
    })
    .add('get: last field (x100)', () => {
      for (let i = 0; i < 100; i++) sink += map.get('authorization')!.length;
    })
    .add('get: absent field (x100)', () => {
      for (let i = 0; i < 100; i++) sink += map.get('x-absent') === undefined ? 1 : 0;
    })
    .add('set existing + byteSize', () => {
      const m = map.clone();
      m.set('x-request-id', 'replaced');
      sink += m.byteSize();
    })
    .add('add + remove', () => {
      const m = map.clone();
      m.add('x-weft-added', '1');
      sink += m.remove('x-weft-added');
    })
    .add('serialize to HTTP/1.1 head', () => {
      const l = map.list;
      let head = `${l[1]} ${l[7]} HTTP/1.1\r\nhost: ${l[5]}\r\n`;
      for (let i = 8; i < l.length; i += 2) head += `${l[i]}: ${l[i + 1]}\r\n`;
      sink += Buffer.byteLength(head + '\r\n', 'latin1');
    });
}
