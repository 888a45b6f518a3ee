// Every `weft` subcommand, in the order `weft --help` lists them. Adding a command is adding an entry here.
import type { Command } from './command.js';

export const COMMANDS: readonly Command[] = [
  {
    name: 'proxy',
    summary: 'Run the proxy from a config file (standalone mode).',
    usage: '--config FILE [--workers N] [--admin HOST:PORT] [--log-level LEVEL] [--no-watch] [--demo-upstream]',
    details:
      'Reloads the file when it (or a file it references) changes, and on SIGHUP; an invalid file is\n' +
      'rejected and the running config keeps serving. SIGTERM or SIGINT drains: /ready turns 503, new\n' +
      'connections are refused, requests in flight finish (up to the listeners\' drain_timeout), then\n' +
      'the process exits 0. A second signal exits at once.',
    options: {
      config: { type: 'string', short: 'c', value: 'FILE', help: 'The config file (weft.yaml, YAML or JSON). Required.' },
      workers: { type: 'string', short: 'w', value: 'N', help: 'Processes serving the listeners: a number, or "auto" for one per CPU. Default 1.' },
      admin: { type: 'string', value: 'HOST:PORT', help: 'Admin listener address. Default: admin.address of the config (127.0.0.1:9901).' },
      'log-level': { type: 'string', value: 'LEVEL', help: 'trace, debug, info, warn, error, fatal or silent. Default info (or WEFT_LOG_LEVEL).' },
      'no-watch': { type: 'boolean', help: 'Reload only on SIGHUP, not when the config file changes.' },
      'demo-upstream': { type: 'boolean', help: 'Also serve a JSON echo upstream on the endpoints of the cluster named "demo".' },
    },
    positionals: { min: 0, max: 0 },
    run: async (ctx) => (await import('./command-proxy.js')).proxy(ctx),
  },
  {
    name: 'plugin',
    summary: 'Create, build and test Wasm filters: weft plugin new|build|test.',
    usage: 'new DIR | build [DIR] [--target release|debug] | test [DIR]',
    details:
      'new DIR      Scaffold a filter project: AssemblyScript source, asconfig, a test, README, weft.yaml.\n' +
      'build [DIR]  Compile with asc into DIR/build/: filter.wasm (optimized) and filter.debug.wasm with its\n' +
      '             source map. Fails if the module imports anything but proxy-wasm v0.2.1 host functions.\n' +
      'test [DIR]   Run DIR/test/**/*.test.js (node:test) on Weft\'s Wasm host, through `weft/testing`.\n' +
      'DIR defaults to the current directory. A project without its own @weft/sdk, assemblyscript or weft\n' +
      'packages uses those of this Weft installation.',
    options: {
      target: { type: 'string', value: 'TARGET', help: 'build: release or debug (default: both).' },
    },
    positionals: { min: 1, max: 2, name: 'SUBCOMMAND' },
    run: async (ctx) => (await import('./command-plugin.js')).plugin(ctx),
  },
  {
    name: 'validate',
    summary: 'Check config files without running them.',
    usage: 'FILE...',
    details: 'Prints "FILE: ok", or one line per error naming the file, line and field. Exits 1 if any file has errors.',
    options: {},
    positionals: { min: 1, max: Infinity, name: 'FILE' },
    run: async (ctx) => (await import('./command-validate.js')).validate(ctx),
  },
  {
    name: 'version',
    summary: 'Print the version of Weft.',
    usage: '',
    options: {},
    positionals: { min: 0, max: 0 },
    run: async (ctx) => (await import('./command-version.js')).version(ctx),
  },
];
