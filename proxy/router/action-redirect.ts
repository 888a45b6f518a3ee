// Redirect action: builds the Location from the request and the redirect's scheme/host/port/path changes.
import type { RouteConfig } from '../../api/snapshot/index.js';
import type { HeaderMap } from '../http/header-map.js';
import type { RedirectAction } from './route-table.js';
import { hostPart, portOf } from './authority.js';
import { pathEnd, queryEnd } from './route-match.js';
import { withLeadingSlash } from './action-forward.js';

type RedirectConfig = NonNullable<RouteConfig['redirect']>;

const DEFAULT_PORT: Record<string, string> = { http: '80', https: '443' };

/**
 * Envoy's rules:
 * - scheme: the redirect's, else the request's (:scheme, "http" when missing);
 * - host: the redirect's (the request's port is then dropped), else the request's;
 * - port: the redirect's, else the request's — dropped when the scheme changes and it was the
 *   old scheme's default port; a port that is the default of the final scheme is never written;
 * - path: `path` replaces the whole path (a query in it replaces the request's query and
 *   survives `strip_query`), `prefix_rewrite` replaces the route's matched prefix;
 * - the request's query is kept unless `strip_query`;
 * - without any host (no :authority, no Host, no redirect host) the Location is relative ("/path?query").
 */
export function compileRedirectAction(config: RedirectConfig, prefix: string | undefined): RedirectAction {
  const host = config.host === undefined ? undefined : bracketIpv6(config.host);
  const port = config.port === undefined ? undefined : String(config.port);
  const pathHasQuery = config.path !== undefined && config.path.includes('?');
  return Object.freeze({
    kind: 'redirect' as const,
    status: config.status,
    location(headers: HeaderMap): string {
      const requestScheme = (headers.get(':scheme') ?? 'http').toLowerCase();
      const scheme = config.scheme ?? requestScheme;
      const authority = headers.get(':authority') ?? headers.get('host') ?? '';
      let finalHost: string;
      let finalPort: string;
      if (host !== undefined) {
        finalHost = host;
        finalPort = port ?? '';
      } else {
        finalHost = hostPart(authority);
        finalPort = port ?? portOf(authority);
        if (port === undefined && scheme !== requestScheme && finalPort === DEFAULT_PORT[requestScheme]) finalPort = '';
      }
      if (finalPort === DEFAULT_PORT[scheme]) finalPort = '';

      const full = headers.get(':path') ?? '/';
      const end = pathEnd(full);
      const requestPath = full.slice(0, end);
      const requestQuery = full.charCodeAt(end) === 63 /* ? */ ? full.slice(end, queryEnd(full, end)) : '';
      let path: string;
      let query: string;
      if (config.path !== undefined) {
        path = config.path;
        query = pathHasQuery || config.strip_query ? '' : requestQuery;
      } else {
        path =
          config.prefix_rewrite !== undefined && prefix !== undefined && requestPath.startsWith(prefix)
            ? withLeadingSlash(config.prefix_rewrite + requestPath.slice(prefix.length))
            : withLeadingSlash(requestPath);
        query = config.strip_query ? '' : requestQuery;
      }
      // No host to name (an HTTP/1.0 request without Host): a relative reference is still a valid Location.
      if (finalHost === '') return `${path}${query}`;
      return `${scheme}://${finalHost}${finalPort ? `:${finalPort}` : ''}${path}${query}`;
    },
  });
}

/** A configured IPv6 host gets its brackets ("::1" -> "[::1]"). */
function bracketIpv6(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
