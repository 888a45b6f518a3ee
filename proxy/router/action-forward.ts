// Forward action: the cluster (or weighted pick), path and host rewrites, and the route timeout.
import type { RouteConfig } from '../../api/snapshot/index.js';
import type { HeaderMap } from '../http/header-map.js';
import type { ForwardAction } from './route-table.js';
import { pathEnd } from './route-match.js';

type ForwardConfig = NonNullable<RouteConfig['forward']>;

/**
 * `prefix` is the route's path prefix condition (undefined without one); a prefix rewrite
 * replaces it. Validation guarantees exactly one of cluster / weighted_clusters, weights not all 0.
 */
export function compileForwardAction(config: ForwardConfig, prefix: string | undefined, random: () => number): ForwardAction {
  return Object.freeze({
    kind: 'forward' as const,
    timeoutMs: config.timeout,
    pickCluster: compilePicker(config, random),
    rewrite: compileRewrite(config, prefix),
  });
}

function compilePicker(config: ForwardConfig, random: () => number): () => string {
  if (config.cluster !== undefined) {
    const cluster = config.cluster;
    return () => cluster;
  }
  const weighted = (config.weighted_clusters ?? []).filter((w) => w.weight > 0);
  if (weighted.length === 1) {
    const only = weighted[0]!.cluster;
    return () => only;
  }
  const names = weighted.map((w) => w.cluster);
  const bounds: number[] = [];
  let total = 0;
  for (const w of weighted) bounds.push((total += w.weight));
  return () => {
    const r = Math.min(Math.floor(random() * total), total - 1);
    for (let i = 0; i < bounds.length; i++) if (r < bounds[i]!) return names[i]!;
    return names[names.length - 1]!;
  };
}

const NO_REWRITE = (_headers: HeaderMap): void => {};

function compileRewrite(config: ForwardConfig, prefix: string | undefined): (headers: HeaderMap) => void {
  const host = config.host_rewrite;
  let path: ((p: string) => string | undefined) | undefined;
  if (config.prefix_rewrite !== undefined && prefix !== undefined) {
    const replacement = config.prefix_rewrite;
    path = (p) => (p.startsWith(prefix) ? replacement + p.slice(prefix.length) : undefined);
  } else if (config.regex_rewrite !== undefined) {
    const pattern = new RegExp(config.regex_rewrite.pattern, 'g');
    const substitution = config.regex_rewrite.substitution;
    path = (p) => {
      const end = pathEnd(p);
      return end === p.length ? p.replace(pattern, substitution) : p.slice(0, end).replace(pattern, substitution) + p.slice(end);
    };
  }
  if (path === undefined && host === undefined) return NO_REWRITE;
  return (headers) => {
    if (path !== undefined) {
      const before = headers.get(':path');
      const after = before === undefined ? undefined : path(before);
      if (after !== undefined && after !== before) headers.set(':path', withLeadingSlash(after));
    }
    if (host !== undefined) headers.set(':authority', host);
  };
}

/** A rewrite that removed the whole path ("/api" with prefix_rewrite "") still sends "/". */
export function withLeadingSlash(path: string): string {
  return path.charCodeAt(0) === 47 /* / */ ? path : `/${path}`;
}
