// --workers 2 end to end: both workers serve, a killed worker is replaced, reloads reach every worker, metrics aggregate, drain exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { WeftProcess } from './weft-process.js';
import { configText, serving, tempDir, TestUpstream, writeAtomic, type ConfigSpec } from './fixtures.js';

interface WorkerInfo {
  id: number;
  pid: number;
  state: string;
  version: string;
  restarts: number;
}

/** GET on a new connection each time (no pooled connection to a worker that was just killed). */
function getFresh(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function workers(admin: string): Promise<WorkerInfo[]> {
  return ((await (await fetch(`${admin}/workers`)).json()) as { workers: WorkerInfo[] }).workers;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('--workers 2: both workers serve, a killed worker is replaced, a reload reaches both, metrics aggregate, SIGTERM drains all', async (t) => {
  const upstream = await TestUpstream.start(t, 'up');
  const dir = tempDir(t);
  const path = join(dir, 'weft.yaml');
  const spec: ConfigSpec = { clusters: { up: upstream.port }, routes: [{ exact: '/a', direct: { status: 200, body: 'a' } }, { prefix: '/', cluster: 'up' }] };
  writeFileSync(path, configText(spec));
  const weft = new WeftProcess(['proxy', '--config', path, '--workers', '2']);
  const pids: number[] = [];
  t.after(async () => {
    await weft.stop();
    // Workers exit when their primary's channel closes; make sure of it.
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  const { admin, web } = await serving(weft);

  const initial = await workers(admin);
  assert.deepEqual(initial.map((w) => [w.id, w.state]), [[1, 'serving'], [2, 'serving']]);
  const [w1, w2] = initial.map((w) => w.pid);
  pids.push(w1!, w2!);
  assert.notEqual(w1, w2);
  assert.ok(!initial.some((w) => w.pid === weft.pid), 'workers are processes of their own');
  assert.equal((await fetch(`${admin}/ready`)).status, 200);

  // Each worker alone serves: kill one, every request still succeeds; then the other.
  const onlyOneServes = async (killed: number, slot: number) => {
    process.kill(killed, 'SIGKILL');
    await weft.waitFor((l) => l.msg === 'worker exited unexpectedly; restarting it' && l.pid === killed, `worker ${slot} exit`);
    for (let i = 0; i < 10; i++) {
      const r = await getFresh(`${web}/through/${i}`);
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body), { upstream: 'up', path: `/through/${i}` });
    }
    const back = await weft.waitFor((l) => l.msg === 'worker serving' && l.worker === slot && l.pid !== killed, `worker ${slot} replaced`);
    pids.push(back.pid as number);
    return back.pid as number;
  };
  const w1b = await onlyOneServes(w1!, 1);
  await onlyOneServes(w2!, 2);
  const replaced = await workers(admin);
  assert.deepEqual(replaced.map((w) => [w.id, w.state, w.restarts]), [[1, 'serving', 1], [2, 'serving', 1]]);
  assert.equal(replaced[0]!.pid, w1b);
  assert.ok(!alive(w1!) && !alive(w2!));

  // Runtime log levels reach every worker: the workers' debug line for an apply shows up from both.
  const set = await fetch(`${admin}/logging?component=worker&level=debug`, { method: 'POST' });
  assert.equal(((await set.json()) as { levels: Record<string, string> }).levels.worker, 'debug');

  // A reload reaches both workers.
  writeAtomic(path, configText({ ...spec, routes: [{ exact: '/b', direct: { status: 202, body: 'b' } }, ...spec.routes] }));
  const applied = await weft.waitFor((l) => l.msg === 'config applied', 'the reload');
  const after = await workers(admin);
  assert.deepEqual(after.map((w) => w.version), [applied.version, applied.version]);
  for (let i = 0; i < 6; i++) assert.equal((await getFresh(`${web}/b`)).status, 202);
  const debugFrom = new Set(weft.lines.filter((l) => l.msg === 'applying snapshot' && l.version === applied.version).map((l) => l.pid));
  assert.deepEqual([...debugFrom].sort(), after.map((w) => w.pid).sort());

  // Metrics: the primary's and the workers', aggregated into one exposition.
  const metrics = await (await fetch(`${admin}/stats/prometheus`)).text();
  assert.match(metrics, /^weft_worker_restarts_total\{worker="1"\} 1$/m);
  assert.match(metrics, /^weft_worker_restarts_total\{worker="2"\} 1$/m);
  assert.match(metrics, /^weft_workers\{state="serving"\} 2$/m);
  assert.match(metrics, /^weft_http_requests_total\{.*\} \d+$/m);
  assert.match(metrics, /^weft_config_applies_total\{result="ok"\} \d+$/m);
  // Each worker serves the version: the aggregate says 1 (max), not one per worker.
  assert.match(metrics, new RegExp(`^weft_config_version_info\\{version="${applied.version}"\\} 1$`, 'm'));
  assert.equal(metrics.match(/^# TYPE weft_http_requests_total /gm)?.length, 1, 'one family, not one per worker');

  // Drain: every worker exits, then the primary, with code 0.
  const live = after.map((w) => w.pid);
  weft.signal('SIGTERM');
  assert.deepEqual(await weft.exited, { code: 0, signal: null });
  for (const pid of live) assert.ok(!alive(pid), `worker ${pid} is gone`);
});

test('--workers 2: a worker that cannot apply a reload keeps serving its config, and the reload is rejected', async (t) => {
  const upstream = await TestUpstream.start(t, 'up');
  const dir = tempDir(t);
  const path = join(dir, 'weft.yaml');
  const spec: ConfigSpec = { routes: [{ exact: '/a', direct: { status: 200, body: 'a' } }] };
  writeFileSync(path, configText(spec));
  const weft = new WeftProcess(['proxy', '--config', path, '--workers', '2']);
  t.after(() => weft.stop());
  const { web, admin } = await serving(weft);
  const before = (await workers(admin)).map((w) => w.version);

  // A second listener on a port that is taken: valid config, but no worker can apply it.
  const busy = configText({
    ...spec,
    extra: {},
  }).replace('"listeners": [', `"listeners": [\n    { "name": "busy", "address": "127.0.0.1:${upstream.port}", "http": { "route_table": "main" } },`);
  writeAtomic(path, busy);
  const failed = await weft.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('config not applied'), 'the rejected apply');
  assert.equal(failed.level, 'error');
  assert.equal((await getFresh(`${web}/a`)).status, 200);
  assert.deepEqual((await workers(admin)).map((w) => w.version), before);
  assert.equal((await fetch(`${admin}/ready`)).status, 200);
});
