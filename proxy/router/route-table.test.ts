// Route table matching, table-driven: virtual hosts by authority, then path, method, headers and query in route order.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HeaderMap } from '../http/header-map.js';
import { directRoute, requestHead, tableOf } from './testing.js';

const vhost = (name: string, domains: string[]) => ({ name, domains, routes: [directRoute(name)] });

describe('virtual host selection', () => {
  const table = tableOf([
    vhost('exact', ['api.example.com', 'EXAMPLE.org']),
    vhost('suffix', ['*.example.com']),
    vhost('longer-suffix', ['*.b.example.com']),
    vhost('same-length', ['*.foo.com', '*.bar.com']),
    vhost('ipv6', ['[::1]']),
    vhost('ipv4', ['127.0.0.1']),
    vhost('trailing-dot', ['trail.example.net.']),
    vhost('default', ['*']),
  ]);
  const cases: [authority: string | undefined, expected: string, why: string][] = [
    ['api.example.com', 'exact', 'exact domain'],
    ['API.Example.COM', 'exact', 'case-insensitive'],
    ['example.org', 'exact', 'configured domain in upper case'],
    ['api.example.com:8080', 'exact', 'port stripped'],
    ['api.example.com:', 'exact', 'empty port stripped'],
    ['api.example.com.', 'exact', 'trailing dot of an absolute name'],
    ['api.example.com.:443', 'exact', 'trailing dot and port'],
    ['x.example.com', 'suffix', 'suffix beats *'],
    ['x.y.example.com', 'suffix', 'suffix wildcard spans labels'],
    ['X.Example.Com:80', 'suffix', 'suffix, case and port'],
    ['example.com', 'default', 'the wildcard stands for at least one character'],
    ['.example.com', 'default', 'an empty label is not a match'],
    ['x.b.example.com', 'longer-suffix', 'longest suffix wins'],
    ['b.example.com', 'suffix', '*.b.example.com does not match b.example.com'],
    ['a.foo.com', 'same-length', 'two suffixes of the same length (map lookup)'],
    ['a.bar.com:1', 'same-length', 'the other one'],
    ['a.baz.com', 'default', 'same length, no such suffix'],
    ['[::1]', 'ipv6', 'IPv6 literal'],
    ['[::1]:8080', 'ipv6', 'IPv6 literal with port'],
    ['[::2]:8080', 'default', 'other IPv6 literal'],
    ['::1', 'default', 'bare IPv6 is not split at a colon'],
    ['127.0.0.1:80', 'ipv4', 'IPv4 with port'],
    ['127.0.0.1', 'ipv4', 'IPv4'],
    ['trail.example.net', 'trailing-dot', 'configured with a trailing dot'],
    ['trail.example.net.', 'trailing-dot', 'both with trailing dots'],
    ['', 'default', 'empty authority'],
    [undefined, 'default', 'no authority at all'],
    ['unknown.test', 'default', 'nothing else matches'],
  ];
  for (const [authority, expected, why] of cases) {
    it(`${JSON.stringify(authority)} -> ${expected} (${why})`, () => {
      assert.equal(table.match(requestHead(authority, '/'))?.virtualHost, expected);
    });
  }

  it('falls back to the Host header when :authority is missing', () => {
    assert.equal(table.match(requestHead(undefined, '/', 'GET', [['Host', 'api.example.com']]))?.virtualHost, 'exact');
  });

  it('returns undefined without a matching virtual host and no "*"', () => {
    const noDefault = tableOf([vhost('only', ['only.test'])]);
    assert.equal(noDefault.match(requestHead('other.test', '/')), undefined);
    assert.equal(noDefault.match(requestHead('only.test', '/'))?.name, 'only');
  });

  it('returns undefined when the virtual host has no matching route (no fall-through to "*")', () => {
    const t = tableOf([
      { name: 'narrow', domains: ['a.test'], routes: [directRoute('a-only', { path: { exact: '/a' } })] },
      vhost('default', ['*']),
    ]);
    assert.equal(t.match(requestHead('a.test', '/a'))?.name, 'a-only');
    assert.equal(t.match(requestHead('a.test', '/b')), undefined);
  });
});

describe('path matching', () => {
  const table = tableOf([
    {
      name: 'vh',
      domains: ['*'],
      routes: [
        directRoute('exact', { path: { exact: '/exact' } }),
        directRoute('prefix-v1', { path: { prefix: '/api/v1' } }),
        directRoute('prefix', { path: { prefix: '/api' } }),
        directRoute('regex', { path: { regex: '/users/[0-9]+' } }),
        directRoute('alt-regex', { path: { regex: '/a|/b' } }),
        directRoute('root', { path: { exact: '/' } }),
        directRoute('slash', { path: { prefix: '/' } }),
        directRoute('any'),
      ],
    },
  ]);
  const cases: [path: string | undefined, expected: string, why: string][] = [
    ['/exact', 'exact', 'exact'],
    ['/exact?x=1', 'exact', 'query string is not part of the path'],
    ['/exact?', 'exact', 'empty query string'],
    ['/exact#frag', 'exact', 'fragment is not part of the path'],
    ['/exact/', 'slash', 'exact means exact: trailing slash differs'],
    ['/EXACT', 'slash', 'case-sensitive'],
    ['/exactly', 'slash', 'exact is not a prefix'],
    ['/api/v1/users', 'prefix-v1', 'first of two prefixes in order'],
    ['/api/v10', 'prefix-v1', 'prefix is a string prefix, not a segment prefix'],
    ['/api', 'prefix', 'prefix equal to the path'],
    ['/apix?v1', 'prefix', 'query does not take part'],
    ['/users/42', 'regex', 'regex'],
    ['/users/42?page=2', 'regex', 'regex ignores the query'],
    ['/users/42/posts', 'slash', 'regex must match the whole path'],
    ['/x/users/42', 'slash', 'regex is anchored at the start'],
    ['/users/', 'slash', 'regex needs its digits'],
    ['/a', 'alt-regex', 'alternation anchored as a whole (left)'],
    ['/b', 'alt-regex', 'alternation anchored as a whole (right)'],
    ['/ab', 'slash', 'alternation does not leak out of the anchors'],
    ['/', 'root', 'root'],
    ['/?q', 'root', 'root with a query'],
    ['', 'any', 'empty path matches no path condition'],
    ['?x=/', 'any', 'only a query'],
    ['*', 'any', 'asterisk-form (OPTIONS *)'],
    [undefined, 'any', 'no :path (CONNECT)'],
  ];
  for (const [path, expected, why] of cases) {
    it(`${JSON.stringify(path)} -> ${expected} (${why})`, () => {
      assert.equal(table.match(requestHead('h', path))?.name, expected);
    });
  }
});

describe('method, header and query conditions', () => {
  const table = tableOf([
    {
      name: 'vh',
      domains: ['*'],
      routes: [
        directRoute('post-or-put', { path: { prefix: '/write' }, methods: ['POST', 'PUT'] }),
        directRoute('canary', { headers: [{ name: 'X-Env', exact: 'canary' }] }),
        directRoute('multi', { headers: [{ name: 'x-multi', exact: 'a,b' }] }),
        directRoute('version', { headers: [{ name: 'x-version', regex: '[0-9]+' }] }),
        directRoute('both', { headers: [{ name: 'x-one', present: true }, { name: 'x-two', present: true }] }),
        directRoute('debug', { headers: [{ name: 'x-debug', present: true }] }),
        directRoute('pseudo', { headers: [{ name: ':scheme', exact: 'https' }] }),
        directRoute('q-exact', { query: [{ name: 'q', exact: 'hello world' }] }),
        directRoute('q-utf8', { query: [{ name: 'name', exact: 'é' }] }),
        directRoute('q-regex', { query: [{ name: 'id', regex: '[0-9]+' }] }),
        directRoute('q-present', { query: [{ name: 'flag', present: true }] }),
        directRoute('q-bracket', { query: [{ name: 'a[b]', exact: '1' }] }),
        directRoute('q-absent', { path: { prefix: '/qa' }, query: [{ name: 'skip', absent: true }] }),
        directRoute('anon', { path: { prefix: '/me' }, headers: [{ name: 'x-user', absent: true }] }),
        directRoute('rest'),
      ],
    },
  ]);
  type Case = [why: string, expected: string, path: string, method?: string, headers?: [string, string][], scheme?: string];
  const cases: Case[] = [
    ['method in the list', 'post-or-put', '/write', 'POST'],
    ['other method in the list', 'post-or-put', '/write', 'PUT'],
    ['method not in the list', 'rest', '/write', 'GET'],
    ['methods are case-sensitive', 'rest', '/write', 'post'],
    ['header exact, config name case-insensitive', 'canary', '/', 'GET', [['x-env', 'canary']]],
    ['header exact is case-sensitive in the value', 'rest', '/', 'GET', [['x-env', 'Canary']]],
    ['header exact needs the whole value', 'rest', '/', 'GET', [['x-env', 'canary2']]],
    ['repeated header joined with ","', 'multi', '/', 'GET', [['x-multi', 'a'], ['x-multi', 'b']]],
    ['one value of a repeated header is not enough', 'rest', '/', 'GET', [['x-multi', 'a']]],
    ['repeated header with other fields between', 'multi', '/', 'GET', [['x-multi', 'a'], ['x-other', '1'], ['x-multi', 'b']]],
    ['header regex full match', 'version', '/', 'GET', [['x-version', '42']]],
    ['header regex partial is no match', 'rest', '/', 'GET', [['x-version', '42a']]],
    ['header regex on a repeated header sees the joined value', 'rest', '/', 'GET', [['x-version', '1'], ['x-version', '2']]],
    ['present with an empty value', 'debug', '/', 'GET', [['x-debug', '']]],
    ['all header conditions must hold', 'both', '/', 'GET', [['x-one', '1'], ['x-two', '2']]],
    ['one of two is not enough', 'rest', '/', 'GET', [['x-one', '1']]],
    ['pseudo-header condition', 'pseudo', '/', 'GET', [], 'https'],
    ['absent header', 'anon', '/me', 'GET'],
    ['absent header that is present', 'rest', '/me', 'GET', [['x-user', 'bob']]],
    ['query exact with + as space', 'q-exact', '/?q=hello+world'],
    ['query exact with %20', 'q-exact', '/?q=hello%20world'],
    ['lowercase hex digits', 'q-utf8', '/?name=%c3%a9'],
    ['an encoded + is a plus, not a space', 'rest', '/?q=hello%2Bworld'],
    ['query exact among other parameters', 'q-exact', '/search?a=1&q=hello+world&b'],
    ['repeated parameter: the first value counts', 'q-exact', '/?q=hello+world&q=other'],
    ['repeated parameter: a later value does not count', 'rest', '/?q=other&q=hello+world'],
    ['percent-encoded UTF-8 value', 'q-utf8', '/?name=%C3%A9'],
    ['raw UTF-8 bytes as latin1 header text', 'q-utf8', `/?name=${Buffer.from('é').toString('latin1')}`],
    ['invalid UTF-8 does not throw', 'rest', '/?name=%C3'],
    ['malformed escape kept literally', 'rest', '/?name=%zz'],
    ['query regex', 'q-regex', '/?id=123'],
    ['query regex partial is no match', 'rest', '/?id=123x'],
    ['present parameter without "="', 'q-present', '/?flag'],
    ['present parameter with an empty value', 'q-present', '/?flag='],
    ['percent-encoded parameter name', 'q-bracket', '/?a%5Bb%5D=1'],
    ['the query stops at the fragment', 'q-regex', '/?id=123#frag'],
    ['parameters in the fragment do not count', 'rest', '/?x=1#id=5'],
    ['absent parameter', 'q-absent', '/qa?other=1'],
    ['absent parameter without any query', 'q-absent', '/qa'],
    ['absent parameter that is present without value', 'rest', '/qa?skip'],
    ['parameter names are case-sensitive', 'rest', '/?Q=hello+world'],
    ['empty pieces are skipped', 'q-exact', '/?&&q=hello+world&'],
  ];
  for (const [why, expected, path, method, headers, scheme] of cases) {
    it(`${why}: ${method ?? 'GET'} ${path} -> ${expected}`, () => {
      assert.equal(table.match(requestHead('h', path, method, headers ?? [], scheme))?.name, expected);
    });
  }
});

describe('compiled routes', () => {
  const table = tableOf([
    {
      name: 'web',
      domains: ['*'],
      routes: [
        {
          match: { path: { prefix: '/h' } },
          forward: { cluster: 'a' },
          request_headers_to_remove: ['X-Internal', 'x-gone'],
          request_headers_to_add: [
            { name: 'X-Added', value: 'v' },
            { name: 'x-replaced', value: 'new' },
            { name: 'x-appended', value: 'second', append: true },
          ],
          response_headers_to_remove: ['server'],
          response_headers_to_add: [{ name: 'x-served-by', value: 'weft' }],
        },
        { name: 'named', match: { path: { prefix: '/n' } }, direct_response: { status: 404, body: 'nope', content_type: 'text/html' } },
        { forward: { cluster: 'b' } },
      ],
    },
  ]);

  it('names unnamed routes "<virtual host>/<index>"', () => {
    assert.equal(table.match(requestHead('h', '/h'))?.name, 'web/0');
    assert.equal(table.match(requestHead('h', '/n'))?.name, 'named');
    assert.equal(table.match(requestHead('h', '/z'))?.name, 'web/2');
    assert.deepEqual(
      table.virtualHosts.map((v) => [v.name, v.domains, v.routes.map((r) => r.name)]),
      [['web', ['*'], ['web/0', 'named', 'web/2']]],
    );
  });

  it('applies request header removals, then additions (replace or append)', () => {
    const route = table.match(requestHead('h', '/h'))!;
    const headers = requestHead('h', '/h', 'GET', [
      ['x-internal', 'secret'],
      ['x-replaced', 'old1'],
      ['x-keep', 'k'],
      ['x-replaced', 'old2'],
      ['x-appended', 'first'],
      ['x-added', 'client-sent'],
    ]);
    route.applyRequestHeaders(headers);
    assert.equal(headers.has('x-internal'), false);
    assert.deepEqual(headers.getAll('x-replaced'), ['new']);
    assert.deepEqual(headers.getAll('x-appended'), ['first', 'second']);
    assert.deepEqual(headers.getAll('x-added'), ['v']);
    assert.equal(headers.get('x-keep'), 'k');
    assert.equal(headers.get(':path'), '/h');
  });

  it('applies response header changes', () => {
    const route = table.match(requestHead('h', '/h'))!;
    const response = new HeaderMap([':status', '200', 'server', 'upstream', 'content-type', 'text/plain']);
    route.applyResponseHeaders(response);
    assert.deepEqual(response.list, [':status', '200', 'content-type', 'text/plain', 'x-served-by', 'weft']);
  });

  it('routes without header changes leave the headers as they are', () => {
    const route = table.match(requestHead('h', '/z'))!;
    const headers = requestHead('h', '/z', 'GET', [['a', '1']]);
    const before = headers.list.slice();
    route.applyRequestHeaders(headers);
    route.applyResponseHeaders(headers);
    assert.deepEqual(headers.list, before);
  });

  it('direct responses carry status, body and content type', () => {
    const action = table.match(requestHead('h', '/n'))!.action;
    assert.equal(action.kind, 'direct');
    if (action.kind !== 'direct') return;
    assert.equal(action.status, 404);
    assert.equal(action.body.toString(), 'nope');
    assert.equal(action.contentType, 'text/html');
  });

  it('direct response defaults: empty body, text/plain', () => {
    const action = tableOf([{ name: 'v', domains: ['*'], routes: [directRoute('d')] }]).match(requestHead('h', '/'))!.action;
    assert.ok(action.kind === 'direct');
    assert.equal(action.body.length, 0);
    assert.equal(action.contentType, 'text/plain; charset=utf-8');
  });

  it('exposes the filter chain of the route', () => {
    const t = tableOf(
      [{ name: 'v', domains: ['*'], routes: [{ match: { path: { prefix: '/f' } }, forward: { cluster: 'a' }, filter_chain: 'extra' }, { forward: { cluster: 'a' } }] }],
      undefined,
      { plugins: [{ name: 'p', module: { file: 'p.wasm' }, filter_chains: ['extra'] }] },
    );
    assert.equal(t.match(requestHead('h', '/f'))!.filterChain, 'extra');
    assert.equal(t.match(requestHead('h', '/'))!.filterChain, undefined);
  });

  it('match() neither modifies the headers nor keeps state between calls', () => {
    const headers = requestHead('h', '/h?x=1', 'GET', [['x-env', 'a']]);
    const before = headers.list.slice();
    const first = table.match(headers);
    assert.deepEqual(headers.list, before);
    assert.equal(table.match(requestHead('h', '/n')), table.virtualHosts[0]!.routes[1]);
    assert.equal(table.match(headers), first);
  });

  it('is frozen', () => {
    assert.ok(Object.isFrozen(table));
    assert.ok(Object.isFrozen(table.virtualHosts));
    assert.ok(Object.isFrozen(table.virtualHosts[0]!.routes));
    const route = table.virtualHosts[0]!.routes[0]!;
    assert.ok(Object.isFrozen(route));
    assert.ok(Object.isFrozen(route.action));
  });
});
