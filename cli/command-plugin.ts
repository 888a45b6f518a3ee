// `weft plugin new|build|test`: scaffold a filter project, build it with asc (checking the ABI), run its tests.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { WeftError } from '../lib/errors.js';
import { buildFilter, checkSpecAbi, weftRoot, type BuildTarget } from '../sdk/testing/index.js';
import { UsageError, type CliIo, type CommandContext } from './command.js';
import { packageNameFor, scaffoldFiles } from './plugin-scaffold.js';

/** Runs `weft plugin …`; resolves with the exit code (0 ok, 1 failure, 2 usage). */
export async function plugin(ctx: CommandContext): Promise<number> {
  const [sub, dir] = ctx.positionals;
  try {
    switch (sub) {
      case 'new':
        if (!dir) throw new UsageError('new: missing DIR');
        return await newProject(resolve(dir), ctx.io);
      case 'build': {
        const target = ctx.values.target;
        if (target !== undefined && target !== 'release' && target !== 'debug') throw new UsageError(`build: --target must be release or debug, not '${String(target)}'`);
        return await build(resolve(dir ?? '.'), target === undefined ? ['release', 'debug'] : [target], ctx.io);
      }
      case 'test':
        return await test(resolve(dir ?? '.'), ctx.io);
      default:
        throw new UsageError(`unknown subcommand '${sub ?? ''}' (new, build or test)`);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof WeftError) {
      ctx.io.stderr.write(`weft plugin ${sub}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function versions(): { weft: string; assemblyscript: string } {
  const pkg = JSON.parse(readFileSync(join(weftRoot, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  return { weft: pkg.version, assemblyscript: pkg.dependencies.assemblyscript ?? '0.28.20' };
}

async function newProject(dir: string, io: CliIo): Promise<number> {
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new WeftError('plugin_exists', `${dir} exists and is not empty`);
  }
  const name = packageNameFor(basename(dir));
  const files = scaffoldFiles(name, versions());
  for (const [path, contents] of files) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, contents, { flag: 'wx' });
  }
  // A path below the current directory is shown relative to it; one elsewhere, absolute.
  const below = relative(process.cwd(), dir);
  const shown = shellWord(below === '' ? '.' : below.startsWith('..') || isAbsolute(below) ? dir : below);
  io.stdout.write(
    `created ${name} in ${shown}:\n${[...files.keys()].map((f) => `  ${f}`).join('\n')}\n\n` +
      `next:\n  cd ${shown}\n  weft plugin test\n  weft plugin build\n  weft proxy --config weft.yaml --demo-upstream\n`,
  );
  return 0;
}

function kib(n: number): string {
  return `${(n / 1024).toFixed(1)} KiB`;
}

async function build(dir: string, targets: BuildTarget[], io: CliIo): Promise<number> {
  let failed = false;
  for (const target of targets) {
    // Build in memory and check before anything is written: a module hosts would refuse never lands in build/.
    const r = await buildFilter(dir, { target });
    if (r.warnings.trim() !== '') io.stderr.write(r.warnings.endsWith('\n') ? r.warnings : `${r.warnings}\n`);
    const report = checkSpecAbi(r.wasm);
    if (report.problems.length > 0) {
      io.stderr.write(`weft plugin build: the ${target} module is not a portable proxy-wasm v0.2.1 filter:\n${report.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      failed = true;
      continue;
    }
    await buildFilter(dir, { target, write: true });
    io.stdout.write(`${target.padEnd(7)} ${r.outFile} (${kib(r.wasm.length)}${r.sourceMap !== undefined ? `, source map ${r.outFile}.map` : ''})${r.cached ? ' [cached]' : ''}\n`);
  }
  return failed ? 1 : 0;
}

async function findTests(dir: string, out: string[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) await findTests(p, out);
    else if (e.isFile() && /\.test\.m?js$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

async function test(dir: string, io: CliIo): Promise<number> {
  if (!existsSync(join(dir, 'asconfig.json'))) throw new WeftError('plugin_not_found', `no asconfig.json in ${dir}: not a filter project`);
  const files = await findTests(join(dir, 'test'));
  if (files.length === 0) throw new WeftError('plugin_no_tests', `no test files (test/**/*.test.js) in ${dir}`);
  const register = new URL('./plugin-test-register.js', import.meta.url).href;
  const args = ['--import', register, '--enable-source-maps', '--test', ...files.map((f) => relative(dir, f))];
  // A test runner above us (npm test of a bigger project) marks its children; ours report on their own.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
  child.stdout.on('data', (c: Buffer) => io.stdout.write(c.toString()));
  child.stderr.on('data', (c: Buffer) => io.stderr.write(c.toString()));
  return new Promise((resolveExit) => {
    child.on('close', (code, signal) => resolveExit(code ?? (signal ? 1 : 0)));
    child.on('error', (e) => {
      io.stderr.write(`weft plugin test: cannot run node: ${e.message}\n`);
      resolveExit(1);
    });
  });
}

/** `word` as the shell reads it back: quoted when it holds spaces or other special characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
