// api-key on the real host: hashed keys, header and query sources, consumer and metadata headers,
// spoofed headers removed, key stripped, 401 with a challenge, configuration errors.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { buildFilter, loadFilter, PluginStartError, weftRoot, type FilterModule } from '../../../sdk/testing/index.js';

const hash = (key: string) => createHash('sha256').update(key).digest('hex');
const KEYS = [
  { name: 'ci', sha256: hash('ci-secret-1'), metadata: { 'x-team': 'platform', 'x-tier': 'internal' } },
  { name: 'partner-acme', sha256: hash('acme-7f3a').toUpperCase() },
];
let filter: FilterModule;

describe('api-key', () => {
  before(async () => {
    filter = await loadFilter(await buildFilter(join(weftRoot, 'plugins', 'api-key')));
  });

  it('lets a known key through with its consumer and metadata headers, and removes the key', async () => {
    const h = await filter.start({ configuration: { keys: KEYS } });
    const s = h.http();
    assert.equal(s.sendRequestHeaders({ ':path': '/v1/jobs', 'x-api-key': 'ci-secret-1', 'x-team': 'spoofed', 'x-api-consumer': 'root' }, true), 'continue');
    const got = s.request.headers!;
    assert.equal(got.get('x-api-consumer'), 'ci');
    assert.equal(got.get('x-team'), 'platform');
    assert.equal(got.get('x-tier'), 'internal');
    assert.equal(got.has('x-api-key'), false);
    const acme = h.http();
    acme.sendRequestHeaders({ 'x-api-key': 'acme-7f3a', 'x-team': 'spoofed' }, true);
    assert.equal(acme.request.headers?.get('x-api-consumer'), 'partner-acme');
    assert.equal(acme.request.headers?.has('x-team'), false, 'metadata headers of other keys are never passed through');
    assert.equal(h.metric('api_key_allowed_total'), 2);
    h.close();
  });

  it('answers 401 with a challenge for a missing or unknown key', async () => {
    const h = await filter.start({ configuration: { keys: KEYS, realm: 'jobs' } });
    for (const [key, text] of [[undefined, 'API key required\n'], ['ci-secret-2', 'invalid API key\n'], ['CI-SECRET-1', 'invalid API key\n'], ['ci-secret-1 ', 'invalid API key\n']] as const) {
      const s = h.http();
      assert.equal(s.sendRequestHeaders({ ':path': '/', ...(key !== undefined ? { 'x-api-key': key } : {}) }, true), 'stop');
      assert.equal(s.localResponse?.status, 401);
      assert.equal(s.localResponse?.text, text);
      assert.equal(s.localResponse?.headers.get('www-authenticate'), 'ApiKey realm="jobs"');
    }
    assert.equal(h.metric('api_key_denied_total'), 4);
    h.close();
  });

  it('reads the key from a query parameter and strips it from the path', async () => {
    const h = await filter.start({ configuration: { keys: KEYS, header: 'x-key', query_param: 'api_key', consumer_header: 'x-client' } });
    const s = h.http();
    s.sendRequestHeaders({ ':path': '/search?q=shoes&api_key=acme-7f3a&page=2' }, true);
    assert.equal(s.request.headers?.get(':path'), '/search?q=shoes&page=2');
    assert.equal(s.request.headers?.get('x-client'), 'partner-acme');
    const only = h.http();
    only.sendRequestHeaders({ ':path': '/search?api_key=ci-secret-1' }, true);
    assert.equal(only.request.headers?.get(':path'), '/search');
    const header = h.http();
    header.sendRequestHeaders({ ':path': '/x', 'x-key': 'ci-secret-1' }, true);
    assert.equal(header.request.headersForwarded, true, 'the header wins when both are possible');
    h.close();
  });

  it('rejects configurations without usable keys', async () => {
    for (const [configuration, why] of [
      [{}, /at least one key/],
      [{ keys: [{ name: 'a', sha256: 'abc' }] }, /64 hex digits/],
      [{ keys: [{ sha256: hash('x') }] }, /name is required/],
      [{ keys: [{ name: 'a', sha256: hash('x'), metadata: { 'bad header': 'v' } }] }, /metadata/],
      [{ keys: KEYS, header: 'bad header' }, /header must be/],
    ] as const) {
      await assert.rejects(filter.start({ configuration }), (e: unknown) => e instanceof PluginStartError && why.test(e.logs.map((l) => l.message).join('\n')));
    }
  });
});
