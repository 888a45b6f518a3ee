// Picks the load generators: wrk for HTTP/1.1, h2load for HTTP/2, the Node generator when they are missing.
import { createH2load, h2loadVersion } from './load-h2load.js';
import { createNodeGenerator } from './load-node.js';
import { createWrk, wrkVersion } from './load-wrk.js';
import type { GeneratorChoice } from './types.js';

export interface Selection {
  readonly generators: GeneratorChoice;
  /** Loud notes for the report when a fallback is in use. */
  readonly warnings: readonly string[];
  readonly versions: Record<string, string>;
}

export function selectGenerators(dir: string, forceNode: boolean): Selection {
  const node = createNodeGenerator();
  const warnings: string[] = [];
  const versions: Record<string, string> = {};
  const wv = forceNode ? undefined : wrkVersion();
  const hv = forceNode ? undefined : h2loadVersion();
  if (wv) versions.wrk = wv;
  if (hv) versions.h2load = hv;
  if (!wv) {
    warnings.push(
      forceNode
        ? 'HTTP/1.1 load: the Node generator (--generator node)'
        : 'wrk is NOT installed: HTTP/1.1 load comes from the Node generator, which saturates before fast proxies do (install wrk)',
    );
  }
  if (!hv) {
    warnings.push(
      forceNode
        ? 'HTTP/2 load: the Node generator (--generator node)'
        : 'h2load is NOT installed: HTTP/2 load comes from the Node generator, which saturates before fast proxies do (install nghttp2-client)',
    );
  }
  return {
    generators: { h1: wv ? createWrk(wv, dir) : node, h2: hv ? createH2load(hv, dir) : node, fixedRate: node },
    warnings,
    versions,
  };
}
