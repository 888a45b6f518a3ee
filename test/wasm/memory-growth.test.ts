// Hostcalls keep working after the module's memory grows: views over the old (detached) buffer are
// replaced before use, whichever accessor (bytes, buffer, DataView) a hostcall touches first.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from '../../proxy/wasm/abi.js';
import { probeHost } from './probe-host.js';

it('a u32 write right after memory.grow lands in the new memory (no detached DataView)', async () => {
  const h = await probeHost();
  const r = h.ret();
  assert.equal(h.call('get_log_level', r), Status.Ok);
  const pages = h.vm.memory.grow(1);
  assert.ok(pages > 0);
  h.vm.bytes().fill(0xff, r, r + 4);
  // Only the DataView path runs in get_log_level: it must notice the new buffer by itself.
  h.vm.memory.grow(1);
  assert.equal(h.call('get_log_level', r), Status.Ok);
  assert.ok(h.u32(r) <= 5, 'the level was written into the current memory');
  assert.deepEqual(h.lines().filter((l) => l.msg === 'Wasm hostcall failed'), []);
});
