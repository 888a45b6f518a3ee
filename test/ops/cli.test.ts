// The weft command line as a user meets it: help lists every command, usage errors exit 2, version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../cli/commands.js';
import { runWeft } from './weft-process.js';

test('weft --help and weft help list every command of the commands table', async () => {
  for (const args of [['--help'], ['help'], ['-h']]) {
    const r = await runWeft(args);
    assert.equal(r.code, 0, r.stderr);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c.name} +${escape(c.summary)}$`, 'm'), `${args[0]} lists ${c.name}`);
    assert.match(r.stdout, /^ {2}help +/m);
  }
});

test('weft help <command> and <command> --help show the usage and every option', async () => {
  for (const c of COMMANDS) {
    for (const args of [['help', c.name], [c.name, '--help']]) {
      const r = await runWeft(args);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.startsWith(`Usage: weft ${c.name}`), r.stdout);
      for (const name of Object.keys(c.options)) assert.ok(r.stdout.includes(`--${name}`), `${c.name} help shows --${name}`);
    }
  }
});

test('usage errors exit 2 with a message naming the problem', async () => {
  const cases: [string[], RegExp][] = [
    [['proxy', '--config', 'x.yaml', '--bogus'], /^weft proxy: unknown option '--bogus'\nRun 'weft help proxy' for usage\.\n$/],
    [['validate', '--strict', 'x.yaml'], /^weft validate: unknown option '--strict'/],
    [['frobnicate'], /^weft: unknown command 'frobnicate'\nRun 'weft --help'/],
    [['--bogus'], /^weft: unknown option '--bogus'/],
    [['validate'], /^weft validate: missing FILE/],
    [['version', 'extra'], /^weft version: unexpected argument 'extra'/],
    [['proxy', '--config'], /^weft proxy: option '--config' needs a value/],
    [['help', 'nope'], /^weft: unknown command 'nope'/],
    [['proxy'], /^weft proxy: --config FILE is required/],
    [['proxy', '--config', 'x.yaml', '--workers', 'many'], /^weft proxy: --workers must be a number from 1 to 256, or "auto" \(got "many"\)/],
    [['proxy', '--config', 'x.yaml', '--workers', '0'], /^weft proxy: --workers must be a number/],
    [['proxy', '--config', 'x.yaml', '--admin', 'localhost'], /^weft proxy: --admin must be HOST:PORT/],
    [['proxy', '--config', 'x.yaml', '--log-level', 'loud'], /^weft proxy: --log-level must be one of trace, debug, info, warn, error, fatal, silent/],
  ];
  for (const [args, message] of cases) {
    const r = await runWeft(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '');
  }
  const bare = await runWeft([]);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /^Usage: weft <command>/m);
});

test('weft version prints the package version', async () => {
  for (const args of [['version'], ['--version']]) {
    const r = await runWeft(args);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^weft \d+\.\d+\.\d+ \(node v\d+\.\d+\.\d+, proxy-wasm ABI v0\.2\.1\)\n$/);
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
