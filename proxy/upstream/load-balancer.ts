// The load-balancer seam: a picker over a cluster's weighted endpoints, synchronous and allocation-free per pick.

/**
 * Picks an endpoint index in [0, weights.length). Implementations are built once per cluster
 * (weights are fixed) and must spread picks in proportion to the weights; `pick` returns
 * undefined only when there is no endpoint.
 */
export interface LoadBalancer {
  pick(hashKey?: string): number | undefined;
}

export type LoadBalancerPolicy = 'round_robin' | 'random';

export interface LoadBalancerOptions {
  /** Source of randomness in [0, 1) (tests pass a seeded one). */
  readonly random?: () => number;
}
