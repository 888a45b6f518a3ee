// Module resolve hook for `weft plugin test`: a project without its own `weft` / `@weft/sdk` / `assemblyscript` uses this installation's.
import { pathToFileURL } from 'node:url';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package.json of this Weft installation (dist/cli/ is two levels below it). */
const weftPackage = pathToFileURL(join(resolvePath(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'package.json')).href;

const PROVIDED = /^(weft|@weft\/sdk|assemblyscript)(\/|$)/;

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<{ url: string; format?: string | null; shortCircuit?: boolean }>;

/** Resolves as Node does; when that fails for a package Weft provides, resolves it from the Weft installation instead. */
export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string; format?: string | null; shortCircuit?: boolean }> {
  try {
    return await next(specifier, context);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !PROVIDED.test(specifier)) throw e;
    return next(specifier, { ...context, parentURL: weftPackage });
  }
}
