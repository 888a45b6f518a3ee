// Weighted round robin: smooth (nginx-style) interleaving, so heavy endpoints do not get bursts.
import type { LoadBalancer } from './load-balancer.js';

/**
 * Smooth weighted round robin: each pick adds every weight to its endpoint's current score,
 * takes the highest and subtracts the total from it. Over any window of sum(weights) picks each
 * endpoint is chosen exactly its weight's times, interleaved. Equal weights take a plain rotation.
 */
export class RoundRobinLoadBalancer implements LoadBalancer {
  private readonly weights: Int32Array;
  private readonly current: Int32Array;
  private readonly total: number;
  private readonly uniform: boolean;
  private next = 0;

  constructor(weights: readonly number[], start = 0) {
    this.weights = Int32Array.from(weights, (w) => Math.max(0, Math.floor(w)));
    this.current = new Int32Array(weights.length);
    this.total = this.weights.reduce((a, b) => a + b, 0);
    this.uniform = this.weights.every((w) => w === this.weights[0]);
    this.next = weights.length > 0 ? Math.abs(Math.floor(start)) % weights.length : 0;
  }

  pick(): number | undefined {
    const n = this.weights.length;
    if (n === 0 || this.total === 0) return undefined;
    if (this.uniform) {
      const i = this.next;
      this.next = i + 1 === n ? 0 : i + 1;
      return i;
    }
    let best = -1;
    let bestScore = 0;
    const w = this.weights;
    const cur = this.current;
    for (let i = 0; i < n; i++) {
      if (w[i] === 0) continue;
      cur[i] += w[i]!;
      if (best < 0 || cur[i]! > bestScore) {
        best = i;
        bestScore = cur[i]!;
      }
    }
    cur[best] -= this.total;
    return best;
  }
}
