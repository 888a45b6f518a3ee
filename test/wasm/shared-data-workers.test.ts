// Shared data and queues across worker processes: the primary's server, synchronous clients in children.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSharedDataServer } from '../../proxy/wasm/shared-data-server.js';

const client = fileURLToPath(new URL('../../proxy/wasm/shared-data-client.js', import.meta.url));

/** Runs a child process with a client on `socket`; resolves with its stdout lines. */
function child(socket: string, body: string, onLine?: (line: string) => void): Promise<string[]> {
  const script = `import { CrossWorkerSharedData } from ${JSON.stringify(client)};
const s = await CrossWorkerSharedData.connect(${JSON.stringify(socket)});
const out = (x) => process.stdout.write(String(x) + '\\n');
${body}`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let buf = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(l);
        onLine?.(l);
      }
    });
    const timer = setTimeout(() => p.kill(), 30_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(lines);
      else reject(new Error(`child exited with ${code}: ${lines.join('|')}`));
    });
  });
}

test('CAS increments from two processes never lose an update; queues notify the registering process', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-sd-'));
  const server = await createSharedDataServer(join(dir, 'shared.sock'));
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const incr = `
let conflicts = 0;
for (let i = 0; i < 300; i++) {
  for (;;) {
    const cur = s.get('vm', 'counter');
    const n = cur ? Number(Buffer.from(cur.value).toString()) : 0;
    const st = s.set('vm', 'counter', Buffer.from(String(n + 1)), cur ? cur.cas : 0);
    if (st === 0) break;
    conflicts++;
  }
}
const t0 = process.hrtime.bigint();
for (let i = 0; i < 500; i++) s.get('vm', 'counter');
out('us_per_get ' + (Number(process.hrtime.bigint() - t0) / 500 / 1000).toFixed(1));
out('conflicts ' + conflicts);
s.close();`;
  // A first set creates the key (cas 0 on a missing key), so both children CAS from then on.
  await child(server.path, `s.set('vm', 'counter', Buffer.from('0'), 0); s.close();`);
  const [a, b] = await Promise.all([child(server.path, incr), child(server.path, incr)]);
  const final = await child(server.path, `out(Buffer.from(s.get('vm', 'counter').value).toString()); out(s.get('other-vm', 'counter') === undefined); s.close();`);
  assert.equal(final[0], '600');
  assert.equal(final[1], 'true', 'vm_id namespaces the data');
  t.diagnostic(`child A: ${a.join(', ')}; child B: ${b.join(', ')}`);

  // Queue: the registering process gets on_queue_ready for an enqueue made by another process.
  let registered!: () => void;
  const isRegistered = new Promise<void>((r) => (registered = r));
  const waiter = child(
    server.path,
    `const token = s.registerQueue('vm', 'jobs', (tok) => { out('ready ' + (tok === token)); out('item ' + Buffer.from(s.dequeue(tok)).toString()); s.close(); process.exit(0); });
out('registered');
setTimeout(() => { out('timeout'); process.exit(1); }, 20000);`,
    (l) => l === 'registered' && registered(),
  );
  await isRegistered;
  const producer = await child(server.path, `const tok = s.resolveQueue('vm', 'jobs'); out(tok > 0); out(s.enqueue(tok, Buffer.from('job-1'))); out(s.resolveQueue('vm', 'nope')); out(s.enqueue(9999, Buffer.from('x'))); s.close();`);
  assert.deepEqual(producer, ['true', '0', '0', '1']);
  const got = await waiter;
  assert.deepEqual(got.slice(1), ['ready true', 'item job-1']);
});
