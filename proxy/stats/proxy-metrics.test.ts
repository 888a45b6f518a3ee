// ProxyMetrics: cells bumped on the hot path show up in the Prometheus text at scrape time, deltas accumulate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { ProxyMetrics, codeClassIndex } from './proxy-metrics.js';

test('code classes', () => {
  assert.deepEqual([100, 204, 302, 404, 503, undefined, 0, 700].map(codeClassIndex), [0, 1, 2, 3, 4, 5, 5, 5]);
});

test('requests, connections and latency reach the exposition, across several scrapes', async () => {
  const registry = new Registry();
  const m = new ProxyMetrics(registry);
  const l = m.listener('main');
  assert.equal(m.listener('main'), l, 'resolved once');
  const r = l.requests('api', 'up');
  assert.equal(l.requests('api', 'up'), r);
  r.count(200);
  r.count(201);
  r.count(503);
  r.count(undefined);
  l.connectionsTotal.inc();
  l.connectionsActive.inc();
  const c = m.cluster('up');
  c.upstreamDuration.observe(0.0007);
  c.upstreamDuration.observe(0.2);
  c.upstreamDuration.observe(100);
  c.connectionsActive.inc();
  m.configApplied('v7');
  let text = await registry.metrics();
  assert.match(text, /weft_http_requests_total\{listener="main",route="api",cluster="up",code_class="2xx"\} 2/);
  assert.match(text, /weft_http_requests_total\{listener="main",route="api",cluster="up",code_class="5xx"\} 1/);
  assert.match(text, /weft_http_requests_total\{listener="main",route="api",cluster="up",code_class="reset"\} 1/);
  assert.match(text, /weft_downstream_connections_active\{listener="main"\} 1/);
  assert.match(text, /weft_downstream_connections_total\{listener="main"\} 1/);
  assert.match(text, /weft_upstream_connections_active\{cluster="up"\} 1/);
  assert.match(text, /# TYPE weft_http_upstream_duration_seconds histogram/);
  assert.match(text, /weft_http_upstream_duration_seconds_bucket\{cluster="up",le="0.0005"\} 0/);
  assert.match(text, /weft_http_upstream_duration_seconds_bucket\{cluster="up",le="0.001"\} 1/);
  assert.match(text, /weft_http_upstream_duration_seconds_bucket\{cluster="up",le="0.25"\} 2/);
  assert.match(text, /weft_http_upstream_duration_seconds_bucket\{cluster="up",le="30"\} 2/);
  assert.match(text, /weft_http_upstream_duration_seconds_bucket\{cluster="up",le="\+Inf"\} 3/);
  assert.match(text, /weft_http_upstream_duration_seconds_count\{cluster="up"\} 3/);
  assert.match(text, /weft_config_version_info\{version="v7"\} 1/);
  r.count(200);
  l.connectionsActive.dec();
  m.configApplied('v8');
  text = await registry.metrics();
  assert.match(text, /code_class="2xx"\} 3/);
  assert.match(text, /weft_downstream_connections_active\{listener="main"\} 0/);
  assert.doesNotMatch(text, /version="v7"/);
  assert.match(text, /weft_config_applies_total\{result="ok"\} 2/);
  const json = await registry.getMetricsAsJSON();
  assert.ok(json.some((j) => j.name === 'weft_http_upstream_duration_seconds' && String(j.type) === 'histogram'));
});
