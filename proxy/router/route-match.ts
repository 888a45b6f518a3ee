// Route conditions compiled once: path (exact, prefix, full regex), methods, headers and query parameters.
import type { RouteConfig } from '../../api/snapshot/index.js';
import type { HeaderMap } from '../http/header-map.js';
import { firstQueryValue, parseQuery } from './query-string.js';

type RouteMatchConfig = NonNullable<RouteConfig['match']>;

/**
 * The parts of one request that routes look at, extracted once per `RouteTable.match` call.
 * The query string is parsed only when a route with query conditions is evaluated.
 * One instance is reused across calls (matching is synchronous and never re-entered).
 */
export class RequestView {
  headers: HeaderMap | undefined;
  method = '';
  /** The whole `:path` (request target), query included. */
  target = '';
  /** Length of the path in `target`: up to the first "?" or "#". */
  pathLength = 0;
  private pathText: string | undefined;
  private rawQuery: string | undefined;
  private params: string[] | undefined;

  reset(headers: HeaderMap): void {
    this.headers = headers;
    this.method = headers.get(':method') ?? '';
    const target = headers.get(':path') ?? '';
    const end = pathEnd(target);
    this.target = target;
    this.pathLength = end;
    this.pathText = end === target.length ? target : undefined;
    this.rawQuery = target.charCodeAt(end) === 63 /* ? */ ? target.slice(end + 1, queryEnd(target, end + 1)) : undefined;
    this.params = undefined;
  }

  /**
   * The path without the query, for regex conditions. Exact and prefix conditions compare
   * within `target` instead: a slice is a V8 sliced string, slower to compare than the original.
   */
  path(): string {
    if (this.pathText === undefined) this.pathText = this.target.slice(0, this.pathLength);
    return this.pathText;
  }

  /** Decoded query parameters (flat name/value list). */
  query(): readonly string[] {
    if (this.params === undefined) this.params = this.rawQuery === undefined ? [] : parseQuery(this.rawQuery);
    return this.params;
  }

  /** Forget the request (drops references so a reused view does not keep headers alive). */
  clear(): void {
    this.headers = undefined;
    this.target = '';
    this.pathText = undefined;
    this.params = undefined;
    this.rawQuery = undefined;
  }
}

/** Index of the first "?" or "#" in `path`, or its length. */
export function pathEnd(path: string): number {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 63 || c === 35) return i;
  }
  return path.length;
}

/** Index of the "#" that ends a query string starting at `from`, or the length. */
export function queryEnd(path: string, from: number): number {
  const hash = path.indexOf('#', from);
  return hash < 0 ? path.length : hash;
}

/** Anchors a configured pattern so it must match the whole input (Envoy's full-match semantics). */
export function fullMatchRegex(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}

/**
 * The literal text every full match of `source` starts with ("" when unsure): the characters
 * before the first metacharacter, minus the last one when a quantifier follows it. Any "|"
 * gives "" (an alternative need not start with it). Lets a regex route reject most paths
 * with a string compare before running the regex.
 */
export function literalPrefix(source: string): string {
  if (source.includes('|')) return '';
  let i = 0;
  while (i < source.length && !'\\^$.|?*+()[]{}'.includes(source[i]!)) i++;
  if (i < source.length && '?*{'.includes(source[i]!)) i--;
  return source.slice(0, Math.max(i, 0));
}

/**
 * Whether the first `limit` characters of `s` start with `prefix`. The prefix's last character
 * is compared first: routes of one table often share their beginning ("/api/…") and differ at
 * the end, and a character compare is far cheaper than the startsWith builtin call.
 */
function startsWithFast(s: string, limit: number, prefix: string, lastChar: number): boolean {
  const n = prefix.length;
  if (n === 0) return true;
  return limit >= n && s.charCodeAt(n - 1) === lastChar && s.startsWith(prefix);
}

const enum PathKind {
  Any,
  Exact,
  Prefix,
  Regex,
}

const enum ValueKind {
  Exact,
  Regex,
  Present,
  Absent,
}

interface ValueCondition {
  readonly name: string;
  readonly kind: ValueKind;
  readonly exact: string;
  readonly regex: RegExp | undefined;
}

/**
 * Config strings may be rope (cons) strings, e.g. built by concatenation in code that makes
 * Snapshots; V8 flattens one on first use, but until then each compare walks the rope. Flatten
 * them once at compile time instead.
 */
function flat(s: string): string {
  Number(s);
  return s;
}

function valueCondition(c: { name: string; exact?: string; regex?: string; present?: true; absent?: true }, lowercaseName: boolean): ValueCondition {
  const name = flat(lowercaseName ? c.name.toLowerCase() : c.name);
  if (c.exact !== undefined) return { name, kind: ValueKind.Exact, exact: flat(c.exact), regex: undefined };
  if (c.regex !== undefined) return { name, kind: ValueKind.Regex, exact: '', regex: fullMatchRegex(c.regex) };
  if (c.absent) return { name, kind: ValueKind.Absent, exact: '', regex: undefined };
  return { name, kind: ValueKind.Present, exact: '', regex: undefined };
}

function valueMatches(c: ValueCondition, value: string | undefined): boolean {
  switch (c.kind) {
    case ValueKind.Exact:
      return value === c.exact;
    case ValueKind.Regex:
      return value !== undefined && c.regex!.test(value);
    case ValueKind.Present:
      return value !== undefined;
    case ValueKind.Absent:
      return value === undefined;
  }
}

/** Every value of header `name`, joined with "," when it is repeated; undefined when absent. */
export function joinedHeader(headers: HeaderMap, name: string): string | undefined {
  const l = headers.list;
  let out: string | undefined;
  for (let i = 0; i < l.length; i += 2) {
    if (l[i] === name) out = out === undefined ? l[i + 1] : `${out},${l[i + 1]}`;
  }
  return out;
}

/** A route's conditions. The most selective and cheapest run first: path, method, headers, then query. */
export class RouteMatcher {
  private readonly pathKind: PathKind;
  private readonly pathValue: string;
  private readonly pathRegex: RegExp | undefined;
  /** Prefix condition, or the literal start of the path regex ("" when none). */
  private readonly pathStart: string;
  private readonly pathStartLast: number;
  private readonly methods: readonly string[] | undefined;
  private readonly headers: readonly ValueCondition[];
  private readonly query: readonly ValueCondition[];
  /** The path prefix this route matches on ("" without a prefix condition); prefix rewrites replace it. */
  readonly prefix: string | undefined;

  constructor(config: RouteMatchConfig | undefined) {
    const p = config?.path;
    if (p?.exact !== undefined) {
      this.pathKind = PathKind.Exact;
      this.pathValue = p.exact;
    } else if (p?.prefix !== undefined) {
      this.pathKind = PathKind.Prefix;
      this.pathValue = p.prefix;
    } else if (p?.regex !== undefined) {
      this.pathKind = PathKind.Regex;
      this.pathValue = '';
    } else {
      this.pathKind = PathKind.Any;
      this.pathValue = '';
    }
    this.pathRegex = p?.regex !== undefined ? fullMatchRegex(p.regex) : undefined;
    this.pathStart = flat(p?.prefix ?? (p?.regex !== undefined ? literalPrefix(p.regex) : ''));
    this.pathStartLast = this.pathStart.charCodeAt(this.pathStart.length - 1);
    this.pathValue = flat(this.pathValue);
    this.prefix = p?.prefix;
    this.methods = config?.methods && config.methods.length > 0 ? [...config.methods] : undefined;
    this.headers = (config?.headers ?? []).map((h) => valueCondition(h, true));
    this.query = (config?.query ?? []).map((q) => valueCondition(q, false));
  }

  matches(req: RequestView): boolean {
    switch (this.pathKind) {
      case PathKind.Exact:
        if (req.pathLength !== this.pathValue.length) return false;
        if (req.pathLength === req.target.length ? req.target !== this.pathValue : !req.target.startsWith(this.pathValue)) return false;
        break;
      case PathKind.Prefix:
        if (!startsWithFast(req.target, req.pathLength, this.pathStart, this.pathStartLast)) return false;
        break;
      case PathKind.Regex:
        if (!startsWithFast(req.target, req.pathLength, this.pathStart, this.pathStartLast) || !this.pathRegex!.test(req.path())) return false;
        break;
      case PathKind.Any:
        break;
    }
    const ms = this.methods;
    if (ms !== undefined) {
      let found = false;
      for (let i = 0; i < ms.length && !found; i++) found = ms[i] === req.method;
      if (!found) return false;
    }
    const hs = this.headers;
    for (let i = 0; i < hs.length; i++) {
      if (!valueMatches(hs[i]!, joinedHeader(req.headers!, hs[i]!.name))) return false;
    }
    const qs = this.query;
    if (qs.length > 0) {
      const params = req.query();
      for (let i = 0; i < qs.length; i++) {
        if (!valueMatches(qs[i]!, firstQueryValue(params, qs[i]!.name))) return false;
      }
    }
    return true;
  }
}
