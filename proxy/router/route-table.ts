// RouteTable: a route table config compiled once per Snapshot into an immutable matcher (virtual host, then first matching route).
import type { RouteTableConfig, RouteConfig, VirtualHostConfig } from '../../api/snapshot/index.js';
import type { HeaderMap } from '../http/header-map.js';
import { WeftError } from '../../lib/errors.js';
import { normalizeHost } from './authority.js';
import { DomainIndex } from './domain-index.js';
import { RequestView, RouteMatcher } from './route-match.js';
import { compileHeaderMutation, type HeaderMutation } from './header-mutation.js';
import { compileForwardAction } from './action-forward.js';
import { compileRedirectAction } from './action-redirect.js';
import { compileDirectAction } from './action-direct.js';

/**
 * A compiled route table. Immutable and safe to share by every stream of a Snapshot; `match`
 * is synchronous and allocates nothing beyond the path/query slices a request needs.
 */
export interface RouteTable {
  readonly name: string;
  readonly virtualHosts: readonly CompiledVirtualHost[];
  /**
   * First matching route of the virtual host chosen by :authority (Host when :authority is
   * missing), or undefined (404). Reads :authority, :path, :method, and the headers routes
   * name; does not modify `headers`.
   */
  match(headers: HeaderMap): CompiledRoute | undefined;
}

export interface CompiledVirtualHost {
  readonly name: string;
  readonly domains: readonly string[];
  readonly routes: readonly CompiledRoute[];
}

export interface CompiledRoute {
  /** The config name, or "<virtual host>/<index>". */
  readonly name: string;
  readonly virtualHost: string;
  /** Filter chain that runs after the listener's chain for this route. */
  readonly filterChain?: string;
  readonly action: ForwardAction | RedirectAction | DirectAction;
  /** Request header removals then additions of this route (call before forwarding). */
  applyRequestHeaders(headers: HeaderMap): void;
  /** Response header removals then additions of this route (call on the response head). */
  applyResponseHeaders(headers: HeaderMap): void;
}

export interface ForwardAction {
  readonly kind: 'forward';
  /** Whole-request timeout in ms; 0 disables it. */
  readonly timeoutMs: number;
  /** Cluster for this request (weighted clusters: a weighted random pick). */
  pickCluster(): string;
  /**
   * Applies the prefix or regex path rewrite to :path (the query string is kept) and the host
   * rewrite to :authority. Call once, after `match` returned this route for these headers.
   */
  rewrite(headers: HeaderMap): void;
}

export interface RedirectAction {
  readonly kind: 'redirect';
  readonly status: number;
  /** The Location for this request: its scheme, host, port, path and query with the redirect's changes. */
  location(headers: HeaderMap): string;
}

export interface DirectAction {
  readonly kind: 'direct';
  readonly status: number;
  /** Shared by every response of this route: send it, never modify it. */
  readonly body: Buffer;
  readonly contentType: string;
}

export interface CompileOptions {
  /** Uniform in [0, 1); picks among weighted clusters (default Math.random). */
  random?: () => number;
}

/** Compiles a validated route table config (from a Snapshot). Never throws on a validated config. */
export function compileRouteTable(config: RouteTableConfig, options: CompileOptions = {}): RouteTable {
  return new CompiledRouteTable(config, options.random ?? Math.random);
}

interface Entry {
  readonly matcher: RouteMatcher;
  readonly route: CompiledRoute;
}

class CompiledRouteTable implements RouteTable {
  readonly name: string;
  readonly virtualHosts: readonly CompiledVirtualHost[];
  private readonly index: DomainIndex<readonly Entry[]>;
  private readonly view = new RequestView();

  constructor(config: RouteTableConfig, random: () => number) {
    this.name = config.name;
    const vhosts = config.virtual_hosts.map((vh) => ({ vh, entries: vh.routes.map((r, i) => compileRoute(vh, r, i, random)) }));
    this.virtualHosts = Object.freeze(
      vhosts.map(({ vh, entries }) =>
        Object.freeze({ name: vh.name, domains: Object.freeze([...vh.domains]), routes: Object.freeze(entries.map((e) => e.route)) }),
      ),
    );
    this.index = new DomainIndex(vhosts.flatMap(({ vh, entries }) => vh.domains.map((d) => [d, entries] as const)));
    Object.freeze(this);
  }

  match(headers: HeaderMap): CompiledRoute | undefined {
    const authority = headers.get(':authority') ?? headers.get('host') ?? '';
    const entries = this.index.lookup(normalizeHost(authority));
    if (entries === undefined || entries.length === 0) return undefined;
    const view = this.view;
    view.reset(headers);
    let found: CompiledRoute | undefined;
    for (const e of entries) {
      if (e.matcher.matches(view)) {
        found = e.route;
        break;
      }
    }
    view.clear();
    return found;
  }
}

function compileRoute(vh: VirtualHostConfig, r: RouteConfig, index: number, random: () => number): Entry {
  const matcher = new RouteMatcher(r.match);
  let action: CompiledRoute['action'];
  if (r.forward) action = compileForwardAction(r.forward, matcher.prefix, random);
  else if (r.redirect) action = compileRedirectAction(r.redirect, matcher.prefix);
  else if (r.direct_response) action = compileDirectAction(r.direct_response);
  else throw new WeftError('route_without_action', `route ${vh.name}/${index} has no action (the route table was not validated)`);
  const route = new Route(
    r.name ?? `${vh.name}/${index}`,
    vh.name,
    r.filter_chain,
    action,
    compileHeaderMutation(r.request_headers_to_add, r.request_headers_to_remove),
    compileHeaderMutation(r.response_headers_to_add, r.response_headers_to_remove),
  );
  return { matcher, route };
}

class Route implements CompiledRoute {
  constructor(
    readonly name: string,
    readonly virtualHost: string,
    readonly filterChain: string | undefined,
    readonly action: ForwardAction | RedirectAction | DirectAction,
    readonly applyRequestHeaders: HeaderMutation,
    readonly applyResponseHeaders: HeaderMutation,
  ) {
    Object.freeze(this);
  }
}
