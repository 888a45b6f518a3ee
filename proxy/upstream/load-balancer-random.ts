// Weighted random: a binary search over cumulative weights.
import type { LoadBalancer } from './load-balancer.js';

export class RandomLoadBalancer implements LoadBalancer {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    weights: readonly number[],
    private readonly random: () => number = Math.random,
  ) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      sum += Math.max(0, w);
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  pick(): number | undefined {
    const n = this.cumulative.length;
    if (n === 0 || this.total === 0) return undefined;
    const x = this.random() * this.total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
