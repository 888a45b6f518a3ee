#!/usr/bin/env node
// Entry point of the `weft` command: runs the compiled CLI from dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('weft: the build output is missing; run `npm install` (or `npm run build`) first\n');
  process.exit(1);
}
const { run } = await import(main.href);
// Exit explicitly: a drained proxy must not linger on a handle some library left open.
process.exit(await run(process.argv.slice(2)));
