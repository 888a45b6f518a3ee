// `weft version`: the package version, the Node.js version and the proxy-wasm ABI Weft implements.
import { readFileSync } from 'node:fs';
import type { CommandContext } from './command.js';

export async function version(ctx: CommandContext): Promise<number> {
  ctx.io.stdout.write(`weft ${packageVersion()} (node ${process.version}, proxy-wasm ABI v0.2.1)\n`);
  return 0;
}

function packageVersion(): string {
  // From dist/cli/ (compiled) the package root is two folders up.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
