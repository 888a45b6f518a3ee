// Conformance suite every load balancer runs: range, proportions to weights, single endpoint, empty cluster.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LoadBalancer, LoadBalancerPolicy } from './load-balancer.js';
import { RandomLoadBalancer } from './load-balancer-random.js';
import { RoundRobinLoadBalancer } from './load-balancer-round-robin.js';
import { createLoadBalancer } from './load-balancers.js';

/** A deterministic PRNG (xorshift32) in [0, 1). */
function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

const IMPLEMENTATIONS: [string, (weights: number[]) => LoadBalancer][] = [
  ['round robin', (w) => new RoundRobinLoadBalancer(w)],
  ['random', (w) => new RandomLoadBalancer(w, seeded(42))],
  ...(['round_robin', 'random'] as LoadBalancerPolicy[]).map(
    (p) => [`createLoadBalancer(${p})`, (w: number[]) => createLoadBalancer(p, w, { random: seeded(7) })] as [string, (weights: number[]) => LoadBalancer],
  ),
];

function counts(lb: LoadBalancer, n: number, picks: number): number[] {
  const c = new Array<number>(n).fill(0);
  for (let i = 0; i < picks; i++) {
    const p = lb.pick();
    assert.ok(p !== undefined && Number.isInteger(p) && p >= 0 && p < n, `pick ${p} out of range`);
    c[p]!++;
  }
  return c;
}

for (const [name, make] of IMPLEMENTATIONS) {
  describe(`load balancer conformance: ${name}`, () => {
    test('no endpoints: undefined', () => {
      assert.equal(make([]).pick(), undefined);
    });

    test('one endpoint: always it', () => {
      assert.deepEqual(counts(make([5]), 1, 100), [100]);
    });

    test('equal weights: an even spread', () => {
      const c = counts(make([1, 1, 1, 1]), 4, 40_000);
      for (const x of c) assert.ok(Math.abs(x - 10_000) < 600, `counts ${c}`);
    });

    test('weights: picks in proportion', () => {
      const weights = [1, 3, 6];
      const c = counts(make(weights), 3, 60_000);
      weights.forEach((w, i) => assert.ok(Math.abs(c[i]! - w * 6000) < 900, `counts ${c}`));
    });

    test('heavily skewed weights still reach the light endpoint', () => {
      const c = counts(make([1000, 1]), 2, 100_100);
      assert.ok(c[1]! > 40 && c[1]! < 200, `counts ${c}`);
    });
  });
}

describe('round robin specifics', () => {
  test('smooth weighted round robin interleaves instead of bursting', () => {
    const lb = new RoundRobinLoadBalancer([5, 1, 1]);
    const seq = Array.from({ length: 7 }, () => lb.pick());
    assert.deepEqual(seq, [0, 0, 1, 0, 2, 0, 0]);
  });

  test('each window of sum(weights) picks is exact', () => {
    const lb = new RoundRobinLoadBalancer([2, 3, 5]);
    for (let round = 0; round < 5; round++) {
      const c = counts(lb, 3, 10);
      assert.deepEqual(c, [2, 3, 5]);
    }
  });

  test('equal weights rotate from the start offset', () => {
    const lb = new RoundRobinLoadBalancer([1, 1, 1], 2);
    assert.deepEqual([lb.pick(), lb.pick(), lb.pick(), lb.pick()], [2, 0, 1, 2]);
  });
});
