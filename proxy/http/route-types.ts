// The compiled route table as the HTTP layer uses it (the shape proxy/router produces).
import type { HeaderMap } from './header-map.js';

export interface RouteTable {
  readonly name: string;
  /** First matching route of the virtual host chosen by :authority, or undefined (404). */
  match(headers: HeaderMap): CompiledRoute | undefined;
}

export interface CompiledRoute {
  readonly name: string;
  readonly virtualHost: string;
  readonly filterChain?: string;
  readonly action: ForwardAction | RedirectAction | DirectAction;
  applyRequestHeaders(headers: HeaderMap): void;
  applyResponseHeaders(headers: HeaderMap): void;
}

export interface ForwardAction {
  readonly kind: 'forward';
  readonly timeoutMs: number;
  pickCluster(): string;
  rewrite(headers: HeaderMap): void;
}

export interface RedirectAction {
  readonly kind: 'redirect';
  readonly status: number;
  location(headers: HeaderMap): string;
}

export interface DirectAction {
  readonly kind: 'direct';
  readonly status: number;
  readonly body: Buffer;
  readonly contentType: string;
}
