// transform on the real host: headers both ways, path rewrite, JSON redaction by path (cards, emails,
// whole values, wildcards, detection in free text) both ways, response text replacement, bodies the
// plugin must leave alone (other types, compressed, not JSON, too large), configuration errors.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFilter, loadFilter, PluginStartError, weftRoot, type FilterHarness, type FilterModule } from '../../../sdk/testing/index.js';

let filter: FilterModule;

/** Sends a request, then a JSON (or other) response in `chunks`, returns the stream. */
function respond(h: FilterHarness, contentType: string, chunks: string[], extra: Record<string, string> = {}) {
  const s = h.http();
  s.sendRequestHeaders({ ':path': '/' }, true);
  const body = chunks.join('');
  s.sendResponse({ headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), etag: '"v1"', ...extra }, body: chunks });
  return s;
}

describe('transform', () => {
  before(async () => {
    filter = await loadFilter(await buildFilter(join(weftRoot, 'plugins', 'transform')));
  });

  it('removes, renames, sets and adds headers both ways, and rewrites the path prefix', async () => {
    const h = await filter.start({
      configuration: {
        request: {
          headers: { remove: ['x-debug'], rename: { 'x-user-id': 'x-account' }, set: { 'x-env': 'prod' }, add: { via: 'weft' } },
          path: { prefix: '/api/v1/', replacement: '/v1/' },
        },
        response: { headers: { remove: ['server', 'x-powered-by'], rename: { 'x-internal-id': 'x-request-ref' }, add: { 'x-frame-options': 'DENY' } } },
      },
    });
    const s = h.http();
    s.sendRequestHeaders([[':path', '/api/v1/users?id=3'], ['x-debug', '1'], ['x-user-id', '42'], ['x-env', 'dev'], ['via', 'edge']], true);
    const req = s.request.headers!;
    assert.equal(req.get(':path'), '/v1/users?id=3');
    assert.equal(req.has('x-debug'), false);
    assert.equal(req.has('x-user-id'), false);
    assert.equal(req.get('x-account'), '42');
    assert.equal(req.get('x-env'), 'prod');
    assert.deepEqual(req.getAll('via'), ['edge', 'weft']);
    s.sendResponseHeaders({ ':status': '200', server: 'nginx', 'x-powered-by': 'php', 'x-internal-id': 'r-9' }, true);
    const res = s.response.headers!;
    assert.equal(res.has('server') || res.has('x-powered-by'), false);
    assert.equal(res.get('x-request-ref'), 'r-9');
    assert.equal(res.get('x-frame-options'), 'DENY');
    const other = h.http();
    other.sendRequestHeaders({ ':path': '/health' }, true);
    assert.equal(other.request.headers?.get(':path'), '/health', 'other paths are left alone');
    h.close();
  });

  it('masks JSON response fields by path: cards, emails, whole values, array wildcards, any depth', async () => {
    const h = await filter.start({
      configuration: {
        response: {
          json_redact: [
            { path: 'payment.card_number', mode: 'card' },
            { path: 'payment.cvv', mode: 'full' },
            { path: 'users[*].email', mode: 'email' },
            { path: 'users[0].ssn', mode: 'full', with: 'xxx' },
            { path: '$.secrets', mode: 'full' },
            { path: '**.notes', mode: 'detect' },
            { path: '["odd.key"]', mode: 'full' },
          ],
        },
      },
    });
    const doc = {
      payment: { card_number: '4111 1111 1111 1111', cvv: 123, amount: 10.5 },
      users: [
        { email: 'alice@example.com', ssn: '078-05-1120' },
        { email: 'bob@example.org', ssn: '219-09-9999' },
      ],
      secrets: { token: 'abc', nested: [1, 2] },
      thread: [{ notes: 'card 5500-0000-0000-0004, mail carol.d@mail.example.com, order 1234567890123' }],
      'odd.key': 'v',
      untouched: 'alice@example.com',
    };
    const text = JSON.stringify(doc);
    const s = respond(h, 'application/json; charset=utf-8', [text.slice(0, 40), text.slice(40)]);
    assert.equal(s.response.headers?.has('content-length'), false);
    assert.equal(s.response.headers?.has('etag'), false);
    assert.deepEqual(s.response.json(), {
      payment: { card_number: '**** **** **** 1111', cvv: '[REDACTED]', amount: 10.5 },
      users: [
        { email: 'a***@example.com', ssn: 'xxx' },
        { email: 'b***@example.org', ssn: '219-09-9999' },
      ],
      secrets: '[REDACTED]',
      thread: [{ notes: 'card ****-****-****-0004, mail c***@mail.example.com, order 1234567890123' }],
      'odd.key': '[REDACTED]',
      untouched: 'alice@example.com',
    });
    assert.equal(h.metric('transform_fields_redacted_total'), 8);
    assert.ok(s.completed);
    h.close();
  });

  it('masks card numbers given as JSON numbers, and request bodies too', async () => {
    const h = await filter.start({ configuration: { request: { json_redact: [{ path: 'card', mode: 'card' }] } } });
    const s = h.http();
    s.sendRequest({ headers: { ':method': 'POST', 'content-type': 'application/vnd.api+json', 'content-length': '30' }, body: ['{"card":4111111111', '111111,"qty":2}'] });
    assert.equal(s.request.headers?.has('content-length'), false);
    assert.deepEqual(s.request.json(), { card: '************1111', qty: 2 });
    h.close();
  });

  it('replaces text in response bodies, after redaction', async () => {
    const h = await filter.start({
      configuration: { response: { text_replace: [{ find: 'internal.corp', replace: 'example.com' }, { find: 'TODO', replace: '' }], json_redact: [{ path: 'email', mode: 'email' }] } },
    });
    const html = respond(h, 'text/html', ['<a href="https://internal.corp/x">internal.corp</a> TO', 'DO']);
    assert.equal(html.response.text, '<a href="https://example.com/x">example.com</a> ');
    const json = respond(h, 'application/json', ['{"email":"ops@internal.corp","link":"internal.corp"}']);
    assert.deepEqual(json.response.json(), { email: 'o***@example.com', link: 'example.com' });
    h.close();
  });

  it('leaves alone bodies it cannot or should not rewrite', async () => {
    const h = await filter.start({ configuration: { max_body_bytes: 64, response: { json_redact: [{ path: 'email', mode: 'email' }] } } });
    const body = '{"email":"alice@example.com"}';
    const png = respond(h, 'image/png', [body]);
    assert.equal(png.response.text, body);
    assert.equal(png.response.headers?.get('content-length'), String(body.length), 'untouched bodies keep their length');
    const gz = respond(h, 'application/json', [body], { 'content-encoding': 'gzip' });
    assert.equal(gz.response.text, body);
    const broken = respond(h, 'application/json', ['{"email": "alice@example.com",']);
    assert.equal(broken.response.text, '{"email": "alice@example.com",', 'not JSON: passed on as it is');
    const big = '{"email":"alice@example.com","pad":"' + 'x'.repeat(100) + '"}';
    const large = respond(h, 'application/json', [big.slice(0, 50), big.slice(50)]);
    assert.equal(large.response.text, big);
    assert.equal(h.metric('transform_bodies_skipped_total'), 1);
    const empty = h.http();
    empty.sendRequestHeaders({}, true);
    empty.sendResponseHeaders({ ':status': '204', 'content-type': 'application/json' }, true);
    assert.ok(empty.completed);
    h.close();
  });

  it('rejects configurations it cannot apply', async () => {
    for (const [configuration, why] of [
      [{ response: { json_redact: [{ path: 'a..b' }] } }, /not a valid path/],
      [{ response: { json_redact: [{ path: 'a', mode: 'hash' }] } }, /mode must be/],
      [{ request: { text_replace: [{ find: 'a' }] } }, /responses only/],
      [{ response: { text_replace: [{ find: '' }] } }, /non-empty find/],
      [{ request: { headers: { set: { 'x-a': 'line\nbreak' } } } }, /not a valid header value/],
      [{ request: { headers: { rename: { 'x-a': 'bad name' } } } }, /not a valid header name/],
      [{ request: { path: { prefix: 'api' } } }, /request.path/],
    ] as const) {
      await assert.rejects(filter.start({ configuration }), (e: unknown) => e instanceof PluginStartError && why.test(e.logs.map((l) => l.message).join('\n')), JSON.stringify(configuration));
    }
  });
});
