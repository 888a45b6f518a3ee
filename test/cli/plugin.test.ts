// `weft plugin new|build|test` end to end in a temp dir outside the repository: scaffold, build
// (release + debug with a source map), run the scaffold's tests on the real host; a non-spec import
// fails the build; the project also builds with plain asc once @weft/sdk and assemblyscript are installed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseSnapshot } from '../../api/snapshot/index.js';
import { checkSpecAbi, weftRoot } from '../../sdk/testing/index.js';
import { WEFT_BIN } from '../ops/weft-process.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs `weft plugin ...args` (the real binary, as a user would). */
function weftPlugin(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [WEFT_BIN, 'plugin', ...args], { cwd: tmpdir(), timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, out: stdout, err: stderr });
    });
  });
}

describe('weft plugin new / build / test', () => {
  let root: string;
  let dir: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'weft-plugin-'));
    dir = join(root, 'My Filter');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('scaffolds a project, builds it, and its tests pass on the real host', async () => {
    const created = await weftPlugin('new', dir);
    assert.equal(created.code, 0, created.err);
    assert.ok(created.out.includes(`cd '${relative(tmpdir(), dir)}'\n`), `the next steps quote a path with a space:\n${created.out}`);
    for (const f of ['package.json', 'asconfig.json', 'assembly/index.ts', 'test/filter.test.js', 'README.md', 'weft.yaml', '.gitignore']) {
      assert.ok(existsSync(join(dir, f)), f);
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; devDependencies: Record<string, string> };
    assert.equal(pkg.name, 'my-filter');
    assert.deepEqual(Object.keys(pkg.devDependencies).sort(), ['@weft/sdk', 'assemblyscript', 'weft']);
    const snapshot = parseSnapshot(readFileSync(join(dir, 'weft.yaml'), 'utf8'));
    assert.ok(snapshot.ok, JSON.stringify(!snapshot.ok && snapshot.error));
    assert.equal((await weftPlugin('new', dir)).code, 1, 'refuses a non-empty directory');

    const built = await weftPlugin('build', dir);
    assert.equal(built.code, 0, built.err);
    assert.match(built.out, /release build\/filter\.wasm \(\d+\.\d KiB\)/);
    assert.match(built.out, /debug {3}build\/filter\.debug\.wasm \([\d.]+ KiB, source map build\/filter\.debug\.wasm\.map\)/);
    const release = readFileSync(join(dir, 'build', 'filter.wasm'));
    assert.deepEqual(checkSpecAbi(release).problems, []);
    assert.match(checkSpecAbi(readFileSync(join(dir, 'build', 'filter.debug.wasm'))).sourceMappingURL ?? '', /^(\.\/)?filter\.debug\.wasm\.map$/);
    const map = JSON.parse(readFileSync(join(dir, 'build', 'filter.debug.wasm.map'), 'utf8')) as { sources: string[] };
    assert.ok(map.sources.includes('assembly/index.ts'));

    const tested = await weftPlugin('test', dir);
    assert.equal(tested.code, 0, tested.out + tested.err);
    assert.match(tested.out, /# pass 3/);
    assert.match(tested.out, /# fail 0/);
  });

  it('fails the tests when the filter misbehaves', async () => {
    const test = join(dir, 'test', 'filter.test.js');
    const original = readFileSync(test, 'utf8');
    writeFileSync(test, original.replace("assert.equal(s.response.headers.get('x-greeting'), 'hi');", "assert.equal(s.response.headers.get('x-greeting'), 'bye');"));
    try {
      const r = await weftPlugin('test', dir);
      assert.equal(r.code, 1);
      assert.match(r.out, /# fail 1/);
    } finally {
      writeFileSync(test, original);
    }
  });

  it('rejects a module that imports a non-spec host function, writing nothing', async () => {
    const bad = join(root, 'bad');
    assert.equal((await weftPlugin('new', bad)).code, 0);
    const src = join(bad, 'assembly', 'index.ts');
    writeFileSync(src, readFileSync(src, 'utf8') + '\n@external("env", "weft_special")\ndeclare function special(): i32;\nexport function use_it(): i32 { return special(); }\n');
    const r = await weftPlugin('build', bad, '--target', 'debug');
    assert.equal(r.code, 1);
    assert.match(r.err, /imports env\.weft_special, which is not a proxy-wasm v0\.2\.1 host function/);
    assert.equal(existsSync(join(bad, 'build')), false);
    const usage = await weftPlugin('build', bad, '--target', 'fast');
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--target must be release or debug/);
    assert.equal((await weftPlugin('frobnicate')).code, 2);
    const help = await weftPlugin('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /Usage: weft plugin new DIR \| build \[DIR\]/);
  });

  it('builds with plain asc once @weft/sdk and assemblyscript are installed (no Weft involved)', () => {
    const modules = join(dir, 'node_modules');
    mkdirSync(join(modules, '@weft'), { recursive: true });
    symlinkSync(join(weftRoot, 'sdk'), join(modules, '@weft', 'sdk'));
    symlinkSync(join(weftRoot, 'node_modules', 'assemblyscript'), join(modules, 'assemblyscript'));
    rmSync(join(dir, 'build'), { recursive: true, force: true });
    // The debug target: the unoptimized build is quick, and resolves @weft/sdk exactly as release does.
    execFileSync(process.execPath, [join(modules, 'assemblyscript', 'bin', 'asc.js'), '--config', 'asconfig.json', '--target', 'debug'], { cwd: dir, stdio: 'pipe' });
    const wasm = readFileSync(join(dir, 'build', 'filter.debug.wasm'));
    assert.deepEqual(checkSpecAbi(wasm).problems, []);
    assert.ok(existsSync(join(dir, 'build', 'filter.debug.wasm.map')));
  });
});
