// Where the repository and its build output are, from the compiled bench files.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Repository root (this file compiles to dist/bench/paths.js). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A path inside dist/ (compiled output), e.g. distPath('bench/peers/http-proxy-server.js'). */
export function distPath(rel: string): string {
  return join(repoRoot, 'dist', rel);
}
