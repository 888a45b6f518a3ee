// Config validation, table-driven: each kind of mistake gives errors naming the file, the field path and the line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatConfigError, parseSnapshot, type ConfigError } from './index.js';

/** Line (1-based) of the line carrying the marker comment `# @name`. */
function lineOf(text: string, mark: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(`# @${mark}`));
  if (i < 0) throw new Error(`marker @${mark} not in the test document`);
  return i + 1;
}

/** What one error must say: its field path, a pattern of its message, and the marker of its line (none: no line expected). */
type Expect = [path: string, message: RegExp, mark?: string];

const CLUSTER_A = `
clusters:
  - name: a
    endpoints: [{ address: 127.0.0.1:9000 }]`;

const TABLE_RT = `
route_tables:
  - name: rt
    virtual_hosts:
      - name: v
        domains: ["*"]
        routes:
          - forward: { cluster: a }`;

/** A route table "rt" whose one virtual host has these routes (YAML, indented for the routes list). */
const routes = (yaml: string) => `${CLUSTER_A}
route_tables:
  - name: rt
    virtual_hosts:
      - name: v
        domains: ["*"]
        routes:
${yaml}`;

const cases: [name: string, text: string, expected: Expect[]][] = [
  // Unknown fields
  ['unknown top-level field', `listners: [] # @a`, [['listners', /^unknown field \(expected one of: version, node, admin, listeners/, 'a']]],
  [
    'unknown field in a cluster',
    `${CLUSTER_A}
    lb: round_robin # @a`,
    [['clusters[0].lb', /^unknown field \(expected one of: name, protocol, endpoints, lb_policy/, 'a']],
  ],
  [
    'unknown field deep in a route match',
    routes(`          - match: { path: { prefix: / }, header: [] } # @a
            forward: { cluster: a }`),
    [['route_tables[0].virtual_hosts[0].routes[0].match.header', /^unknown field \(expected one of: path, methods, headers, query\)/, 'a']],
  ],
  ['a "__proto__" key is just an unknown field', `__proto__: { polluted: true } # @a`, [['__proto__', /^unknown field/, 'a']]],

  // Durations, sizes, addresses
  [
    'bad duration',
    `${CLUSTER_A}
    connect_timeout: 5 seconds # @a`,
    [['clusters[0].connect_timeout', /^"5 seconds" is not a duration such as "250ms", "5s"/, 'a']],
  ],
  [
    'negative duration',
    `${CLUSTER_A}
    connect_timeout: -5 # @a`,
    [['clusters[0].connect_timeout', /^-5 is not a duration/, 'a']],
  ],
  [
    'duration longer than a Node.js timer',
    `${CLUSTER_A}
    idle_timeout: 1000h # @a`,
    [['clusters[0].idle_timeout', /^"1000h" is too long: at most 2147483647ms/, 'a']],
  ],
  [
    'bad size',
    `${CLUSTER_A}
${TABLE_RT}
listeners:
  - name: l
    address: 127.0.0.1:8080
    http:
      route_table: rt
      max_buffer_bytes: 1.5MiB # @a`,
    [['listeners[0].http.max_buffer_bytes', /^"1.5MiB" is not a size in bytes such as 65536, "64KiB"/, 'a']],
  ],
  [
    'address without a port',
    `clusters:
  - name: a
    endpoints:
      - address: 127.0.0.1 # @a`,
    [['clusters[0].endpoints[0].address', /^"127.0.0.1" is not an address "host:port"/, 'a']],
  ],
  [
    'port out of range',
    `clusters:
  - name: a
    endpoints:
      - address: 127.0.0.1:65536 # @a`,
    [['clusters[0].endpoints[0].address', /^port must be between 0 and 65535/, 'a']],
  ],
  [
    'IPv6 without brackets',
    `clusters:
  - name: a
    endpoints:
      - address: "::1:80" # @a`,
    [['clusters[0].endpoints[0].address', /IPv6 in brackets/, 'a']],
  ],

  // References
  [
    'missing route table',
    `listeners:
  - name: l
    address: 127.0.0.1:8080
    http: { route_table: nope } # @a`,
    [['listeners[0].http.route_table', /^no route table named "nope"$/, 'a']],
  ],
  [
    'missing cluster in a route',
    routes(`          - forward: { cluster: b } # @a`),
    [['route_tables[0].virtual_hosts[0].routes[0].forward.cluster', /^no cluster named "b"$/, 'a']],
  ],
  [
    'missing cluster among weighted clusters',
    routes(`          - forward:
              weighted_clusters:
                - { cluster: a, weight: 1 }
                - { cluster: c, weight: 1 } # @a`),
    [['route_tables[0].virtual_hosts[0].routes[0].forward.weighted_clusters[1].cluster', /^no cluster named "c"$/, 'a']],
  ],
  [
    'missing cluster of a TCP listener',
    `listeners:
  - name: db
    address: 127.0.0.1:5432
    protocol: tcp
    tcp: { cluster: postgres } # @a`,
    [['listeners[0].tcp.cluster', /^no cluster named "postgres"$/, 'a']],
  ],
  [
    'missing secret for a listener certificate',
    `${CLUSTER_A}
${TABLE_RT}
listeners:
  - name: l
    address: 127.0.0.1:8443
    http: { route_table: rt }
    tls: { certificate: server-cert } # @a`,
    [['listeners[0].tls.certificate', /^no secret named "server-cert"$/, 'a']],
  ],
  [
    'a secret without a CA bundle used as CA',
    `clusters:
  - name: a
    endpoints: []
    tls: { ca: cert } # @a
secrets:
  - name: cert
    certificate_file: c.pem
    private_key_file: k.pem`,
    [['clusters[0].tls.ca', /^secret "cert" has no CA bundle$/, 'a']],
  ],
  [
    'missing filter chain',
    `${CLUSTER_A}
${TABLE_RT}
listeners:
  - name: l
    address: 127.0.0.1:8080
    http: { route_table: rt, filter_chain: auth } # @a`,
    [['listeners[0].http.filter_chain', /^filter chain "auth" has no filters/, 'a']],
  ],

  // Duplicates
  [
    'duplicate cluster names',
    `clusters:
  - name: a
    endpoints: []
  - name: a # @a
    endpoints: []`,
    [['clusters[1].name', /^duplicate name "a" \(also clusters\[0\]\)$/, 'a']],
  ],
  [
    'duplicate listener address',
    `${CLUSTER_A}
${TABLE_RT}
listeners:
  - name: l1
    address: 127.0.0.1:8080
    http: { route_table: rt }
  - name: l2
    address: 127.0.0.1:8080 # @a
    http: { route_table: rt }`,
    [['listeners[1].address', /^address 127.0.0.1:8080 overlaps 127.0.0.1:8080 of listeners\[0\]$/, 'a']],
  ],
  [
    'a wildcard address overlaps a specific one',
    `${CLUSTER_A}
${TABLE_RT}
listeners:
  - name: l1
    address: 127.0.0.1:8080
    http: { route_table: rt }
  - name: l2
    address: "*:8080" # @a
    http: { route_table: rt }`,
    [['listeners[1].address', /^address 0.0.0.0:8080 overlaps 127.0.0.1:8080 of listeners\[0\]$/, 'a']],
  ],
  [
    'a listener on the admin address',
    `${CLUSTER_A}
${TABLE_RT}
listeners:
  - name: l
    address: "[::]:9901" # @a
    http: { route_table: rt }`,
    [['listeners[0].address', /^address \[::\]:9901 overlaps 127.0.0.1:9901 of the admin listener$/, 'a']],
  ],
  [
    'the same domain in two virtual hosts (trailing dot)',
    `${CLUSTER_A}
route_tables:
  - name: rt
    virtual_hosts:
      - name: v1
        domains: [example.com]
        routes: []
      - name: v2
        domains:
          - Example.COM. # @a
        routes: []`,
    [['route_tables[0].virtual_hosts[1].domains[0]', /^domain "Example.COM." is already served by virtual_hosts\[0\]$/, 'a']],
  ],
  [
    'duplicate virtual host names',
    `route_tables:
  - name: rt
    virtual_hosts:
      - { name: v, domains: [a.test], routes: [] }
      - { name: v, domains: [b.test], routes: [] } # @a`,
    [['route_tables[0].virtual_hosts[1].name', /^duplicate name "v"/, 'a']],
  ],

  // Exactly one of
  [
    'a route without an action',
    routes(`          - match: { path: { prefix: / } } # @a`),
    [['route_tables[0].virtual_hosts[0].routes[0]', /^needs exactly one of forward, redirect, direct_response \(found none\)$/, 'a']],
  ],
  [
    'a route with two actions',
    routes(`          - forward: { cluster: a } # @a
            direct_response: { status: 200 }`),
    [['route_tables[0].virtual_hosts[0].routes[0]', /\(found forward, direct_response\)$/, 'a']],
  ],
  [
    'a path match with two kinds',
    routes(`          - match:
              path: { prefix: /a, exact: /a } # @a
            forward: { cluster: a }`),
    [['route_tables[0].virtual_hosts[0].routes[0].match.path', /^needs exactly one of exact, prefix, regex$/, 'a']],
  ],
  [
    'a header match with no condition',
    routes(`          - match:
              headers:
                - { name: x-env } # @a
            forward: { cluster: a }`),
    [['route_tables[0].virtual_hosts[0].routes[0].match.headers[0]', /^needs exactly one of exact, regex, present, absent$/, 'a']],
  ],
  [
    'both cluster and weighted_clusters',
    routes(`          - forward: # @a
              cluster: a
              weighted_clusters: [{ cluster: a, weight: 1 }]`),
    [['route_tables[0].virtual_hosts[0].routes[0].forward', /^needs exactly one of cluster, weighted_clusters$/, 'a']],
  ],
  [
    'prefix_rewrite without a prefix match',
    routes(`          - match: { path: { exact: /a } }
            forward: { cluster: a, prefix_rewrite: /b } # @a`),
    [['route_tables[0].virtual_hosts[0].routes[0].forward.prefix_rewrite', /^needs a prefix path match/, 'a']],
  ],
  [
    'redirect with both path and prefix_rewrite',
    routes(`          - match: { path: { prefix: /a } }
            redirect: { path: /b, prefix_rewrite: /c } # @a`),
    [['route_tables[0].virtual_hosts[0].routes[0].redirect', /^path and prefix_rewrite exclude each other$/, 'a']],
  ],
  [
    'weights all zero',
    routes(`          - forward:
              weighted_clusters: # @a
                - { cluster: a, weight: 0 }`),
    [['route_tables[0].virtual_hosts[0].routes[0].forward.weighted_clusters', /^weights must not all be 0$/, 'a']],
  ],
  [
    'a secret with a certificate but no key',
    `secrets:
  - name: s # @a
    certificate_file: c.pem`,
    [['secrets[0]', /^a certificate needs its private key/, 'a']],
  ],

  // Regular expressions
  [
    'bad path regex',
    routes(`          - match: { path: { regex: "([" } } # @a
            forward: { cluster: a }`),
    [['route_tables[0].virtual_hosts[0].routes[0].match.path.regex', /^invalid regular expression: Unterminated character class$/, 'a']],
  ],
  [
    'bad header regex',
    routes(`          - match:
              headers:
                - { name: x-v, regex: "a{2,1}" } # @a
            forward: { cluster: a }`),
    [['route_tables[0].virtual_hosts[0].routes[0].match.headers[0].regex', /^invalid regular expression: numbers out of order/, 'a']],
  ],
  [
    'bad rewrite regex',
    routes(`          - forward:
              cluster: a
              regex_rewrite: { pattern: "(?<n>a)(?<n>b)", substitution: x } # @a`),
    [['route_tables[0].virtual_hosts[0].routes[0].forward.regex_rewrite.pattern', /^invalid regular expression: Duplicate capture group name$/, 'a']],
  ],

  // Types, enums, required fields, names
  ['a mapping where a list belongs', `clusters: { name: a } # @a`, [['clusters', /^must be a list \(got a mapping\)$/, 'a']]],
  [
    'a number where a string belongs',
    `clusters:
  - name: 5 # @a
    endpoints: []`,
    [['clusters[0].name', /^must be a string \(got 5\): put it in quotes$/, 'a']],
  ],
  [
    'a missing required field points at its parent',
    `clusters:
  - endpoints: [] # @a`,
    [['clusters[0].name', /^is required$/, 'a']],
  ],
  [
    'a value outside an enumeration',
    `clusters:
  - name: a
    endpoints: []
    lb_policy: least_request # @a`,
    [['clusters[0].lb_policy', /^"least_request" is not one of "round_robin", "random"$/, 'a']],
  ],
  [
    'a name with a space',
    `clusters:
  - name: my cluster # @a
    endpoints: []`,
    [['clusters[0].name', /^"my cluster" is not a name/, 'a']],
  ],
  [
    'an integer out of range',
    `clusters:
  - name: a
    endpoints:
      - { address: 127.0.0.1:1, weight: 0 } # @a`,
    [['clusters[0].endpoints[0].weight', /^must be at least 1 \(got 0\)$/, 'a']],
  ],
  [
    'an empty methods list',
    routes(`          - match: { methods: [] } # @a
            forward: { cluster: a }`),
    [['route_tables[0].virtual_hosts[0].routes[0].match.methods', /^must have at least 1 item$/, 'a']],
  ],
  [
    'a lowercase method',
    routes(`          - match: { methods: [get] } # @a
            forward: { cluster: a }`),
    [['route_tables[0].virtual_hosts[0].routes[0].match.methods[0]', /^"get" is not an HTTP method in upper case/, 'a']],
  ],
  [
    'a domain with a port',
    `route_tables:
  - name: rt
    virtual_hosts:
      - name: v
        domains:
          - example.com:8080 # @a
        routes: []`,
    [['route_tables[0].virtual_hosts[0].domains[0]', /^"example.com:8080" is not a host name, "\*.suffix" or "\*"/, 'a']],
  ],
  [
    'an invalid header name to add',
    routes(`          - forward: { cluster: a }
            request_headers_to_add:
              - { name: "x bad", value: v } # @a`),
    [['route_tables[0].virtual_hosts[0].routes[0].request_headers_to_add[0].name', /^"x bad" is not a valid header name/, 'a']],
  ],
  [
    'the host header cannot be set by header lists',
    routes(`          - forward: { cluster: a }
            request_headers_to_remove:
              - Host # @a`),
    [['route_tables[0].virtual_hosts[0].routes[0].request_headers_to_remove[0]', /^the host is set with forward.host_rewrite$/, 'a']],
  ],
  [
    'pseudo-headers cannot be removed',
    routes(`          - forward: { cluster: a }
            response_headers_to_remove:
              - ":status" # @a`),
    [['route_tables[0].virtual_hosts[0].routes[0].response_headers_to_remove[0]', /pseudo-headers cannot be changed/, 'a']],
  ],

  // Listener consistency
  [
    'an HTTP listener without http options',
    `listeners:
  - name: l # @a
    address: 127.0.0.1:8080`,
    [['listeners[0].http', /^is required for protocol http$/, 'a']],
  ],
  [
    'mutual TLS without a CA',
    `${CLUSTER_A}
${TABLE_RT}
listeners:
  - name: l
    address: 127.0.0.1:8443
    http: { route_table: rt }
    tls:
      certificate: cert
      require_client_certificate: true # @a
secrets:
  - { name: cert, certificate_file: c.pem, private_key_file: k.pem }`,
    [['listeners[0].tls.require_client_certificate', /^needs client_ca/, 'a']],
  ],
  [
    'ALPN h2 with HTTP/2 off',
    `${CLUSTER_A}
${TABLE_RT}
listeners:
  - name: l
    address: 127.0.0.1:8443
    http: { route_table: rt, http2: false }
    tls:
      certificate: cert
      alpn: [h2] # @a
secrets:
  - { name: cert, certificate_file: c.pem, private_key_file: k.pem }`,
    [['listeners[0].tls.alpn', /^offers h2 but http.http2 is false$/, 'a']],
  ],
  [
    'a plugin in no filter chain',
    `plugins:
  - name: p # @a
    module: { file: p.wasm }`,
    [['plugins[0].filter_chains', /^lists no filter chain/, 'a']],
  ],

  // YAML itself
  [
    'bad indentation',
    `clusters:
  - name: a
   endpoints: [] # @a`,
    [['', /without - indicator|indent/i, 'a']],
  ],
  [
    'duplicate key',
    `clusters: []
secrets: []
clusters: [] # @a`,
    [['', /^duplicate key "clusters" \(a key may appear once per mapping\)$/, 'a']],
  ],
  [
    'several documents',
    `clusters: []
--- # @a
secrets: []`,
    [['', /^the file holds several YAML documents/, 'a']],
  ],
  [
    'a YAML tag',
    `clusters: []
secrets: !!set { a } # @a`,
    [['', /^unknown tag !!set \(a config holds plain values: no YAML tags\)$/, 'a']],
  ],
  [
    'an alias without its anchor',
    `clusters:
  - *base # @a`,
    [['', /^alias \*base has no anchor &base before it$/, 'a']],
  ],
  [
    'a key that is a list',
    `? [a, b] # @a
: 1`,
    [['', /^a key must be a plain string/, 'a']],
  ],
  ['a list at the top level', `- a\n- b`, [['', /^the document must be a mapping \(an object\) at the top level$/]]],
  ['a scalar at the top level', `hello`, [['', /^the document must be a mapping/]]],
  ['an unterminated quote', `clusters: "abc # @a`, [['', /quote/i, 'a']]],
];

describe('config validation errors', () => {
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const res = parseSnapshot(text, { file: 'weft.yaml' });
      assert.equal(res.ok, false, 'the document must be rejected');
      if (res.ok) return;
      const shown = res.error.map(formatConfigError).join('\n');
      assert.equal(res.error.length, expected.length, `errors:\n${shown}`);
      expected.forEach(([path, message, mark], i) => {
        const e: ConfigError = res.error[i]!;
        assert.equal(e.file, 'weft.yaml');
        assert.equal(e.path, path, shown);
        assert.match(e.message, message, shown);
        if (mark !== undefined) {
          const line = lineOf(text, mark);
          assert.equal(e.line, line, `expected line ${line}:\n${shown}`);
          assert.ok(formatConfigError(e).startsWith(`weft.yaml:${line}:`), formatConfigError(e));
          if (path) assert.ok(formatConfigError(e).includes(`: ${path}: `), formatConfigError(e));
        } else {
          assert.equal(e.line, undefined);
        }
      });
    });
  }

  it('reports every problem of a document at once', () => {
    const res = parseSnapshot(
      `clusters:
  - name: a
    endpoints: []
    connect_timeout: soon
  - name: b
    endpoints: []
    lb: x
listeners:
  - name: l
    address: nowhere`,
      { file: 'weft.yaml' },
    );
    assert.ok(!res.ok);
    assert.deepEqual(res.error.map((e) => [e.path, e.line]), [
      ['clusters[0].connect_timeout', 4],
      ['clusters[1].lb', 7],
      ['listeners[0].address', 10],
    ]);
  });
});

describe('valid documents', () => {
  it('an empty document is an empty Snapshot with defaults', () => {
    const res = parseSnapshot('', { file: 'weft.yaml' });
    assert.ok(res.ok);
    assert.deepEqual(res.value, { admin: { address: { host: '127.0.0.1', port: 9901 } }, listeners: [], route_tables: [], clusters: [], secrets: [], plugins: [] });
  });

  it('decodes units, fills defaults and freezes the whole Snapshot', () => {
    const res = parseSnapshot(
      `${CLUSTER_A}
    connect_timeout: 1.5s
${TABLE_RT}
listeners:
  - name: l
    address: "[::1]:0"
    http: { route_table: rt, max_header_bytes: 16KiB, idle_timeout: 2m }`,
    );
    assert.ok(res.ok, res.ok ? '' : res.error.map(formatConfigError).join('\n'));
    const s = res.value;
    assert.equal(s.clusters[0]!.connect_timeout, 1500);
    assert.equal(s.clusters[0]!.idle_timeout, 30_000);
    assert.equal(s.clusters[0]!.lb_policy, 'round_robin');
    assert.deepEqual(s.clusters[0]!.endpoints[0], { address: { host: '127.0.0.1', port: 9000 }, weight: 1 });
    const http = s.listeners[0]!.http!;
    assert.deepEqual(s.listeners[0]!.address, { host: '::1', port: 0 });
    assert.equal(http.max_header_bytes, 16 * 1024);
    assert.equal(http.max_buffer_bytes, 1024 * 1024);
    assert.equal(http.idle_timeout, 120_000);
    assert.equal(http.request_timeout, 0);
    assert.equal(s.route_tables[0]!.virtual_hosts[0]!.routes[0]!.forward!.timeout, 15_000);
    const frozen = (v: unknown, path: string): void => {
      if (v === null || typeof v !== 'object') return;
      assert.ok(Object.isFrozen(v), `${path} is not frozen`);
      for (const [k, c] of Object.entries(v)) frozen(c, `${path}.${k}`);
    };
    frozen(s, 'snapshot');
  });

  it('a key with nothing after it counts as absent', () => {
    const res = parseSnapshot(`clusters:\nsecrets:\nadmin:\n  address:\n`);
    assert.ok(res.ok, res.ok ? '' : res.error.map(formatConfigError).join('\n'));
    assert.deepEqual(res.value.clusters, []);
    assert.deepEqual(res.value.admin.address, { host: '127.0.0.1', port: 9901 });
  });

  it('a plugin configuration keeps null, nested data and strings as they are', () => {
    const res = parseSnapshot(`${CLUSTER_A}
plugins:
  - name: p
    module: { file: p.wasm }
    singleton: true
    configuration: { a: null, b: [1, { c: "d" }] }
    vm_configuration: null`);
    assert.ok(res.ok, res.ok ? '' : res.error.map(formatConfigError).join('\n'));
    assert.deepEqual(res.value.plugins[0]!.configuration, { a: null, b: [1, { c: 'd' }] });
    assert.equal(res.value.plugins[0]!.vm_configuration, null);
  });

  it('anchors, aliases and merge keys work', () => {
    const res = parseSnapshot(`
clusters:
  - &defaults
    name: a
    endpoints: []
    connect_timeout: 1s
  - <<: *defaults
    name: b`);
    assert.ok(res.ok, res.ok ? '' : res.error.map(formatConfigError).join('\n'));
    assert.deepEqual(res.value.clusters.map((c) => [c.name, c.connect_timeout]), [['a', 1000], ['b', 1000]]);
  });

  it('JSON is YAML', () => {
    const res = parseSnapshot(JSON.stringify({ clusters: [{ name: 'a', endpoints: [{ address: '127.0.0.1:1' }] }] }));
    assert.ok(res.ok);
    assert.equal(res.value.clusters[0]!.endpoints[0]!.address.port, 1);
  });

  it('a non-zero duration never rounds down to 0 (which disables)', () => {
    const res = parseSnapshot(`${CLUSTER_A}\n    connect_timeout: 0.2ms`);
    assert.ok(res.ok);
    assert.equal(res.value.clusters[0]!.connect_timeout, 1);
  });
});
