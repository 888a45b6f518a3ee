// Cross-field checks of a decoded Snapshot: references resolve, names are unique, exactly-one-of holds, regexes compile.
import type { Snapshot, RouteConfig } from './schema.js';
import { formatAddress, type HostPort } from './units.js';

/** An HTTP field name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A DNS name, with an optional trailing dot; labels of letters, digits, "-" and "_". */
const HOST_NAME = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$/;
const WILDCARD_DOMAIN = /^\*\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$/;

/** Two listen addresses that cannot both be bound: same port and same host, or a wildcard covering the other. */
export function addressesOverlap(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port) return false;
  if (a.host.toLowerCase() === b.host.toLowerCase()) return true;
  // "::" is dual-stack in Node.js: it takes the port on every IPv4 and IPv6 address.
  if (a.host === '::' || b.host === '::') return true;
  const v6 = (h: string) => h.includes(':');
  return (a.host === '0.0.0.0' && !v6(b.host)) || (b.host === '0.0.0.0' && !v6(a.host));
}

export interface SemanticError {
  readonly path: (string | number)[];
  readonly message: string;
}

export function checkSemantics(s: Snapshot): SemanticError[] {
  const errors: SemanticError[] = [];
  const add = (path: (string | number)[], message: string) => errors.push({ path, message });

  const names = (kind: string, items: readonly { name: string }[]) => {
    const seen = new Map<string, number>();
    items.forEach((it, i) => {
      const prev = seen.get(it.name);
      if (prev !== undefined) add([kind, i, 'name'], `duplicate name "${it.name}" (also ${kind}[${prev}])`);
      else seen.set(it.name, i);
    });
    return seen;
  };
  const clusters = names('clusters', s.clusters);
  const tables = names('route_tables', s.route_tables);
  const secrets = names('secrets', s.secrets);
  names('listeners', s.listeners);
  names('plugins', s.plugins);

  const checkAddress = (path: (string | number)[], a: HostPort) => {
    if (a.port < 0 || a.port > 65535 || a.host === '') add(path, 'port must be between 0 and 65535');
  };
  checkAddress(['admin', 'address'], s.admin.address);

  // Filter chains exist where plugins say they run.
  const chains = new Set<string>();
  s.plugins.forEach((p) => p.filter_chains.forEach((c) => chains.add(c)));
  const usedChains = new Set<string>();
  const chainRef = (path: (string | number)[], name: string | undefined) => {
    if (name === undefined) return;
    usedChains.add(name);
    if (!chains.has(name)) add(path, `filter chain "${name}" has no filters: no plugin lists it in filter_chains`);
  };

  const secret = (name: string) => s.secrets[secrets.get(name) ?? -1];
  const bound: { address: HostPort; label: string }[] = [];
  if (s.admin.address.port !== 0) bound.push({ address: s.admin.address, label: 'the admin listener' });
  s.listeners.forEach((l, i) => {
    const at = ['listeners', i];
    checkAddress([...at, 'address'], l.address);
    if (l.address.port !== 0) {
      const clash = bound.find((b) => addressesOverlap(b.address, l.address));
      if (clash) add([...at, 'address'], `address ${formatAddress(l.address)} overlaps ${formatAddress(clash.address)} of ${clash.label}`);
      bound.push({ address: l.address, label: `listeners[${i}]` });
    }
    if (l.protocol === 'http') {
      if (!l.http) add([...at, 'http'], 'is required for protocol http');
      if (l.tcp) add([...at, 'tcp'], 'is only allowed with protocol tcp');
      if (l.http) {
        if (!tables.has(l.http.route_table)) add([...at, 'http', 'route_table'], `no route table named "${l.http.route_table}"`);
        chainRef([...at, 'http', 'filter_chain'], l.http.filter_chain);
        if (!l.http.http2 && l.tls?.alpn?.includes('h2')) add([...at, 'tls', 'alpn'], 'offers h2 but http.http2 is false');
      }
    } else {
      if (!l.tcp) add([...at, 'tcp'], 'is required for protocol tcp');
      if (l.http) add([...at, 'http'], 'is only allowed with protocol http');
      if (l.tcp) {
        if (!clusters.has(l.tcp.cluster)) add([...at, 'tcp', 'cluster'], `no cluster named "${l.tcp.cluster}"`);
        chainRef([...at, 'tcp', 'filter_chain'], l.tcp.filter_chain);
      }
      if (l.tls?.alpn?.includes('h2')) add([...at, 'tls', 'alpn'], 'h2 is only meaningful on HTTP listeners');
    }
    if (l.tls) {
      const cert = secret(l.tls.certificate);
      if (!cert) add([...at, 'tls', 'certificate'], `no secret named "${l.tls.certificate}"`);
      else if (!hasCert(cert)) add([...at, 'tls', 'certificate'], `secret "${cert.name}" has no certificate and private key`);
      if (l.tls.client_ca !== undefined) {
        const ca = secret(l.tls.client_ca);
        if (!ca) add([...at, 'tls', 'client_ca'], `no secret named "${l.tls.client_ca}"`);
        else if (!hasCa(ca)) add([...at, 'tls', 'client_ca'], `secret "${ca.name}" has no CA bundle`);
      }
      if (l.tls.require_client_certificate && l.tls.client_ca === undefined) {
        add([...at, 'tls', 'require_client_certificate'], 'needs client_ca to verify client certificates against');
      }
    }
  });

  s.route_tables.forEach((t, ti) => {
    const domains = new Map<string, number>();
    const vhostNames = new Map<string, number>();
    t.virtual_hosts.forEach((vh, vi) => {
      const at = ['route_tables', ti, 'virtual_hosts', vi];
      const prevName = vhostNames.get(vh.name);
      if (prevName !== undefined) add([...at, 'name'], `duplicate name "${vh.name}" (also virtual_hosts[${prevName}]): route names and metrics would be ambiguous`);
      else vhostNames.set(vh.name, vi);
      vh.domains.forEach((d, di) => {
        const lower = d.toLowerCase();
        if (!(lower === '*' || WILDCARD_DOMAIN.test(lower) || HOST_NAME.test(lower) || /^\[[0-9a-f:.]+\]$/.test(lower))) {
          add([...at, 'domains', di], `"${d}" is not a host name, "*.suffix" or "*" (ports are ignored: leave them out)`);
        }
        // "example.com." and "example.com" name the same host.
        const dom = lower.length > 1 && lower.endsWith('.') ? lower.slice(0, -1) : lower;
        const prev = domains.get(dom);
        if (prev !== undefined) add([...at, 'domains', di], `domain "${d}" is already served by virtual_hosts[${prev}]`);
        else domains.set(dom, vi);
      });
      vh.routes.forEach((r, ri) => checkRoute([...at, 'routes', ri], r));
    });
  });

  function checkRoute(at: (string | number)[], r: RouteConfig) {
    const actions = (['forward', 'redirect', 'direct_response'] as const).filter((k) => r[k] !== undefined);
    if (actions.length !== 1) add(at, `needs exactly one of forward, redirect, direct_response (found ${actions.length ? actions.join(', ') : 'none'})`);
    const m = r.match;
    if (m?.path) {
      const kinds = (['exact', 'prefix', 'regex'] as const).filter((k) => m.path![k] !== undefined);
      if (kinds.length !== 1) add([...at, 'match', 'path'], 'needs exactly one of exact, prefix, regex');
      if (m.path.regex !== undefined) checkRegex([...at, 'match', 'path', 'regex'], m.path.regex);
    }
    const oneOf = (path: (string | number)[], o: { exact?: string; regex?: string; present?: true; absent?: true }) => {
      const kinds = (['exact', 'regex', 'present', 'absent'] as const).filter((k) => o[k] !== undefined);
      if (kinds.length !== 1) add(path, 'needs exactly one of exact, regex, present, absent');
      if (o.regex !== undefined) checkRegex([...path, 'regex'], o.regex);
    };
    m?.headers?.forEach((h, i) => {
      oneOf([...at, 'match', 'headers', i], h);
      if (!HEADER_NAME.test(h.name.replace(/^:/, ''))) add([...at, 'match', 'headers', i, 'name'], `"${h.name}" is not a valid header name`);
    });
    m?.query?.forEach((q, i) => oneOf([...at, 'match', 'query', i], q));
    const f = r.forward;
    if (f) {
      const fa = [...at, 'forward'];
      if ((f.cluster === undefined) === (f.weighted_clusters === undefined)) add(fa, 'needs exactly one of cluster, weighted_clusters');
      if (f.cluster !== undefined && !clusters.has(f.cluster)) add([...fa, 'cluster'], `no cluster named "${f.cluster}"`);
      f.weighted_clusters?.forEach((w, i) => {
        if (!clusters.has(w.cluster)) add([...fa, 'weighted_clusters', i, 'cluster'], `no cluster named "${w.cluster}"`);
      });
      if (f.weighted_clusters && f.weighted_clusters.reduce((n, w) => n + w.weight, 0) === 0) {
        add([...fa, 'weighted_clusters'], 'weights must not all be 0');
      }
      if (f.prefix_rewrite !== undefined && m?.path?.prefix === undefined) {
        add([...fa, 'prefix_rewrite'], 'needs a prefix path match (match.path.prefix): it replaces the matched prefix');
      }
      if (f.prefix_rewrite !== undefined && f.regex_rewrite !== undefined) add(fa, 'prefix_rewrite and regex_rewrite exclude each other');
      if (f.regex_rewrite) checkRegex([...fa, 'regex_rewrite', 'pattern'], f.regex_rewrite.pattern);
    }
    const rd = r.redirect;
    if (rd) {
      const ra = [...at, 'redirect'];
      if (rd.path !== undefined && rd.prefix_rewrite !== undefined) add(ra, 'path and prefix_rewrite exclude each other');
      if (rd.prefix_rewrite !== undefined && m?.path?.prefix === undefined) {
        add([...ra, 'prefix_rewrite'], 'needs a prefix path match (match.path.prefix): it replaces the matched prefix');
      }
      if (rd.host !== undefined && !(HOST_NAME.test(rd.host.toLowerCase()) || /^\[?[0-9a-fA-F:.]+\]?$/.test(rd.host))) {
        add([...ra, 'host'], `"${rd.host}" is not a host name or IP address (set the port with redirect.port)`);
      }
    }
    chainRef([...at, 'filter_chain'], r.filter_chain);
    const headerName = (path: (string | number)[], name: string, request: boolean) => {
      if (!HEADER_NAME.test(name)) add(path, `"${name}" is not a valid header name (pseudo-headers cannot be changed here)`);
      else if (request && name.toLowerCase() === 'host') add(path, 'the host is set with forward.host_rewrite');
    };
    for (const [k, list, request] of [
      ['request_headers_to_add', r.request_headers_to_add, true],
      ['response_headers_to_add', r.response_headers_to_add, false],
    ] as const) {
      list.forEach((h, i) => {
        headerName([...at, k, i, 'name'], h.name, request);
        if (/[\0\r\n]/.test(h.value)) add([...at, k, i, 'value'], 'must not contain NUL, CR or LF');
      });
    }
    r.request_headers_to_remove.forEach((n, i) => headerName([...at, 'request_headers_to_remove', i], n, true));
    r.response_headers_to_remove.forEach((n, i) => headerName([...at, 'response_headers_to_remove', i], n, false));
  }

  function checkRegex(path: (string | number)[], source: string) {
    try {
      new RegExp(source);
    } catch (e) {
      // V8 says "Invalid regular expression: /(/: Unterminated group"; keep the reason.
      const reason = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
      add(path, `invalid regular expression: ${reason}`);
    }
  }

  s.clusters.forEach((c, i) => {
    c.endpoints.forEach((e, ei) => checkAddress(['clusters', i, 'endpoints', ei, 'address'], e.address));
    if (c.tls?.ca !== undefined) {
      const ca = secret(c.tls.ca);
      if (!ca) add(['clusters', i, 'tls', 'ca'], `no secret named "${c.tls.ca}"`);
      else if (!hasCa(ca)) add(['clusters', i, 'tls', 'ca'], `secret "${ca.name}" has no CA bundle`);
    }
    if (c.tls?.client_certificate !== undefined) {
      const cert = secret(c.tls.client_certificate);
      if (!cert) add(['clusters', i, 'tls', 'client_certificate'], `no secret named "${c.tls.client_certificate}"`);
      else if (!hasCert(cert)) add(['clusters', i, 'tls', 'client_certificate'], `secret "${cert.name}" has no certificate and private key`);
    }
  });

  s.secrets.forEach((sec, i) => {
    const pair = (a: 'certificate' | 'private_key' | 'ca') => {
      const inline = sec[a] !== undefined;
      const file = sec[`${a}_file`] !== undefined;
      if (inline && file) add(['secrets', i, a], `${a} and ${a}_file exclude each other`);
      return inline || file;
    };
    const c = pair('certificate');
    const k = pair('private_key');
    const ca = pair('ca');
    if (c !== k) add(['secrets', i], 'a certificate needs its private key, and a private key its certificate');
    if (!c && !k && !ca) add(['secrets', i], 'needs a certificate and private key, or a CA bundle');
  });

  s.plugins.forEach((p, i) => {
    const at = ['plugins', i];
    if (p.module.file === undefined && p.module.sha256 === undefined) add([...at, 'module'], 'needs file or sha256');
    if (p.singleton && p.filter_chains.length > 0) add([...at, 'filter_chains'], 'a singleton plugin runs in no filter chain');
    if (!p.singleton && p.filter_chains.length === 0) add([...at, 'filter_chains'], 'lists no filter chain, so the plugin would never run (or set singleton: true)');
    p.filter_chains.forEach((c, ci) => {
      if (!usedChains.has(c)) add([...at, 'filter_chains', ci], `no listener or route uses filter chain "${c}"`);
    });
    if (p.limits.memory < 65536) add([...at, 'limits', 'memory'], 'must be at least 64KiB (one Wasm page)');
  });

  return errors;
}

function hasCert(s: { certificate?: string; certificate_file?: string; private_key?: string; private_key_file?: string }): boolean {
  return (s.certificate !== undefined || s.certificate_file !== undefined) && (s.private_key !== undefined || s.private_key_file !== undefined);
}

function hasCa(s: { ca?: string; ca_file?: string }): boolean {
  return s.ca !== undefined || s.ca_file !== undefined;
}
