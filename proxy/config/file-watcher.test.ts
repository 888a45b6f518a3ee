// Tests of FileWatcher on the real file system: in-place writes, editor-style replace, the poll fallback, setFiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileWatcher, type FileWatcherOptions } from './file-watcher.js';

function tmp(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'weft-watch-'));
  // The watcher holds nothing that keeps a process alive (a proxy has its sockets); a test needs a handle.
  const keepAlive = setInterval(() => {}, 60_000);
  return {
    dir,
    cleanup: () => {
      clearInterval(keepAlive);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A watcher whose `next()` resolves at the next onChange. */
function watched(files: string[], options: FileWatcherOptions) {
  let wake: (() => void) | undefined;
  let calls = 0;
  const w = new FileWatcher(
    files,
    () => {
      calls++;
      wake?.();
    },
    options,
  );
  return {
    w,
    calls: () => calls,
    next: () => new Promise<void>((r) => (wake = r)),
  };
}

test('an in-place write is noticed through fs.watch', async (t) => {
  const { dir, cleanup } = tmp();
  t.after(cleanup);
  const file = join(dir, 'weft.yaml');
  writeFileSync(file, 'a: 1\n');
  const { w, next } = watched([file], { pollMs: 0, debounceMs: 20 });
  t.after(() => w.close());
  const changed = next();
  writeFileSync(file, 'a: 22\n');
  await changed;
});

test('an editor-style save (write a new file, rename it over) is noticed', async (t) => {
  const { dir, cleanup } = tmp();
  t.after(cleanup);
  const file = join(dir, 'weft.yaml');
  writeFileSync(file, 'a: 1\n');
  const { w, next } = watched([file], { pollMs: 0, debounceMs: 20 });
  t.after(() => w.close());
  const changed = next();
  writeFileSync(join(dir, '.weft.yaml.swp'), 'a: 333\n');
  renameSync(join(dir, '.weft.yaml.swp'), file);
  await changed;
  // The watch survives the replace: a second save is noticed as well.
  const again = next();
  writeFileSync(join(dir, '.weft.yaml.swp'), 'a: 4444\n');
  renameSync(join(dir, '.weft.yaml.swp'), file);
  await again;
});

test('the stat poll alone notices a change, a removal and a re-creation', async (t) => {
  const { dir, cleanup } = tmp();
  t.after(cleanup);
  const file = join(dir, 'cert.pem');
  writeFileSync(file, 'one');
  const { w, next } = watched([file], { fsWatch: false, pollMs: 25, debounceMs: 5 });
  t.after(() => w.close());
  let changed = next();
  writeFileSync(file, 'two!');
  await changed;
  changed = next();
  rmSync(file);
  await changed;
  changed = next();
  writeFileSync(file, 'three');
  await changed;
});

test('setFiles starts watching a file in another folder', async (t) => {
  const { dir, cleanup } = tmp();
  t.after(cleanup);
  const a = join(dir, 'weft.yaml');
  mkdirSync(join(dir, 'certs'));
  const b = join(dir, 'certs', 'key.pem');
  writeFileSync(a, 'a');
  writeFileSync(b, 'b');
  const { w, next } = watched([a], { pollMs: 0, debounceMs: 20 });
  t.after(() => w.close());
  w.setFiles([a, b]);
  const changed = next();
  writeFileSync(b, 'bb');
  await changed;
});

test('a burst of writes is reported at least once and after close nothing is reported', async (t) => {
  const { dir, cleanup } = tmp();
  t.after(cleanup);
  const file = join(dir, 'weft.yaml');
  writeFileSync(file, '');
  const { w, next, calls } = watched([file], { pollMs: 10, debounceMs: 30 });
  const changed = next();
  for (let i = 1; i <= 20; i++) writeFileSync(file, 'x'.repeat(i));
  await changed;
  assert.ok(calls() >= 1);
  w.close();
  const after = calls();
  writeFileSync(file, 'closed');
  // close() cleared every timer and watcher: nothing is left to call back, so the process can exit.
  assert.equal(calls(), after);
});
