// Tests of FileConfigSource: reload outcomes, coalescing, rejected applies keep the live Snapshot, metrics and logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import type { Snapshot } from '../../api/snapshot/index.js';
import { WeftError } from '../../lib/errors.js';
import { Logging } from '../../lib/log.js';
import { FileConfigSource } from './file-config-source.js';

const config = (body: string) => `clusters:\n  - name: c\n    endpoints: []\nroute_tables:\n  - name: t\n    virtual_hosts: [{ name: v, domains: ["*"], routes: [{ direct_response: { status: 200, body: "${body}" } }] }]\n`;

function setup(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'weft-source-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'weft.yaml');
  writeFileSync(path, config('one'));
  const lines: Record<string, unknown>[] = [];
  const logging = new Logging({
    destination: new Writable({
      write(c, _e, cb) {
        for (const l of c.toString().split('\n')) if (l) lines.push(JSON.parse(l));
        cb();
      },
    }),
  });
  const registry = new Registry();
  const source = new FileConfigSource({ path, logger: logging.logger('config'), metrics: registry, watch: false });
  t.after(() => source.close());
  return { path, source, lines, registry };
}

const body = (s: Snapshot | undefined) => (s?.route_tables[0]!.virtual_hosts[0]!.routes[0]!.direct_response!.body);

test('reload applies a changed file, skips an unchanged one, and rejects an invalid one keeping the live Snapshot', async (t) => {
  const { path, source, lines, registry } = setup(t);
  const loaded = await source.load();
  assert.ok(loaded.ok);
  const applied: Snapshot[] = [];
  source.start(loaded.value, async (s) => void applied.push(s));
  assert.equal(body(source.current), 'one');

  assert.equal((await source.reload('test')).result, 'unchanged');
  writeFileSync(path, config('two'));
  const r = await source.reload('test');
  assert.equal(r.result, 'applied');
  assert.equal(body(source.current), 'two');
  assert.equal(applied.length, 1);

  writeFileSync(path, config('three').replace('status: 200', 'status: 42'));
  const bad = await source.reload('test');
  assert.equal(bad.result, 'rejected');
  assert.ok(bad.result === 'rejected' && /weft\.yaml:6:\d+: route_tables\[0\]\.virtual_hosts\[0\]\.routes\[0\]\.direct_response\.status: /.test(bad.errors[0]!), JSON.stringify(bad));
  assert.equal(body(source.current), 'two');
  const logged = lines.find((l) => l.level === 'error' && (l.msg as string).startsWith('config rejected'));
  assert.ok(logged);
  assert.equal(logged.keeping, source.current!.version);
  assert.match(await registry.metrics(), /^weft_config_applies_total\{result="rejected"\} 1$/m);
});

test('when apply rejects, the previous Snapshot stays current and the same file can be retried', async (t) => {
  const { path, source, lines } = setup(t);
  const loaded = await source.load();
  assert.ok(loaded.ok);
  let fail = true;
  source.start(loaded.value, async () => {
    if (fail) throw new WeftError('listen_failed', 'cannot listen on 127.0.0.1:80');
  });
  writeFileSync(path, config('two'));
  const r = await source.reload('test');
  assert.deepEqual(r, { result: 'rejected', errors: ['cannot listen on 127.0.0.1:80'] });
  assert.equal(body(source.current), 'one');
  assert.ok(lines.some((l) => l.msg === 'config not applied: cannot listen on 127.0.0.1:80' && l.level === 'error'));
  fail = false;
  assert.equal((await source.reload('retry')).result, 'applied', 'not "unchanged": the failed version never went live');
  assert.equal(body(source.current), 'two');
});

test('reloads run one at a time; requests during a reload coalesce into one more', async (t) => {
  const { path, source } = setup(t);
  const loaded = await source.load();
  assert.ok(loaded.ok);
  let running = 0;
  let maxRunning = 0;
  let release!: () => void;
  let calls = 0;
  source.start(loaded.value, async () => {
    calls++;
    running++;
    maxRunning = Math.max(maxRunning, running);
    if (calls === 1) await new Promise<void>((r) => (release = r));
    running--;
  });
  writeFileSync(path, config('two'));
  const first = source.reload('a');
  await new Promise((r) => setImmediate(r));
  while (!release) await new Promise((r) => setImmediate(r));
  writeFileSync(path, config('three'));
  const second = source.reload('b');
  const third = source.reload('c');
  assert.equal(second, third, 'joined the one queued reload');
  release();
  assert.equal((await first).result, 'applied');
  assert.equal((await second).result, 'applied');
  assert.equal(calls, 2);
  assert.equal(maxRunning, 1);
  assert.equal(body(source.current), 'three');
});
