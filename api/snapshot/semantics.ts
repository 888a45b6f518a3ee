// Cross-field checks of a decoded Snapshot: references resolve, names are unique, exactly-one-of holds, regexes compile.
import type { Snapshot, RouteConfig } from './schema.js';
import type { HostPort } from './units.js';

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
  const listenAddrs = new Map<string, number>();
  s.listeners.forEach((l, i) => {
    const at = ['listeners', i];
    checkAddress([...at, 'address'], l.address);
    const key = `${l.address.host}:${l.address.port}`;
    if (l.address.port !== 0) {
      const prev = listenAddrs.get(key);
      if (prev !== undefined) add([...at, 'address'], `address ${key} is already used by listeners[${prev}]`);
      else listenAddrs.set(key, i);
    }
    if (l.protocol === 'http') {
      if (!l.http) add([...at, 'http'], 'is required for protocol http');
      if (l.tcp) add([...at, 'tcp'], 'is only allowed with protocol tcp');
      if (l.http) {
        if (!tables.has(l.http.route_table)) add([...at, 'http', 'route_table'], `no route table named "${l.http.route_table}"`);
        chainRef([...at, 'http', 'filter_chain'], l.http.filter_chain);
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
    t.virtual_hosts.forEach((vh, vi) => {
      const at = ['route_tables', ti, 'virtual_hosts', vi];
      vh.domains.forEach((d, di) => {
        const dom = d.toLowerCase();
        if (!(dom === '*' || /^\*\.[a-z0-9.-]+$/.test(dom) || /^[a-z0-9.-]+$/.test(dom) || /^\[[0-9a-f:.]+\]$/.test(dom))) {
          add([...at, 'domains', di], `"${d}" is not a host name, "*.suffix" or "*" (ports are ignored: leave them out)`);
        }
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
    m?.headers?.forEach((h, i) => oneOf([...at, 'match', 'headers', i], h));
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
      if (f.prefix_rewrite !== undefined && m?.path?.prefix === undefined && m?.path !== undefined) {
        add([...fa, 'prefix_rewrite'], 'needs a prefix path match');
      }
      if (f.prefix_rewrite !== undefined && f.regex_rewrite !== undefined) add(fa, 'prefix_rewrite and regex_rewrite exclude each other');
      if (f.regex_rewrite) checkRegex([...fa, 'regex_rewrite', 'pattern'], f.regex_rewrite.pattern);
    }
    chainRef([...at, 'filter_chain'], r.filter_chain);
    for (const [k, list] of [
      ['request_headers_to_add', r.request_headers_to_add],
      ['response_headers_to_add', r.response_headers_to_add],
    ] as const) {
      list.forEach((h, i) => {
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(h.name)) add([...at, k, i, 'name'], `"${h.name}" is not a valid header name`);
        if (/[\0\r\n]/.test(h.value)) add([...at, k, i, 'value'], 'must not contain NUL, CR or LF');
      });
    }
  }

  function checkRegex(path: (string | number)[], source: string) {
    try {
      new RegExp(source);
    } catch (e) {
      add(path, `invalid regular expression: ${(e as Error).message}`);
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
