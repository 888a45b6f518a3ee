// `weft validate FILE...`: loads each config like the proxy would and reports every error.
import { formatConfigError } from '../api/snapshot/index.js';
import { loadConfigFile } from '../proxy/config/file-source.js';
import type { CommandContext } from './command.js';

export async function validate(ctx: CommandContext): Promise<number> {
  let failed = false;
  for (const file of ctx.positionals) {
    const res = await loadConfigFile(file);
    if (res.ok) {
      ctx.io.stdout.write(`${file}: ok\n`);
      continue;
    }
    failed = true;
    for (const e of res.error) ctx.io.stderr.write(`${formatConfigError(e)}\n`);
  }
  return failed ? 1 : 0;
}
