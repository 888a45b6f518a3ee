// The built-in load balancers, by policy name.
import type { LoadBalancer, LoadBalancerOptions, LoadBalancerPolicy } from './load-balancer.js';
import { RandomLoadBalancer } from './load-balancer-random.js';
import { RoundRobinLoadBalancer } from './load-balancer-round-robin.js';

export function createLoadBalancer(policy: LoadBalancerPolicy, weights: readonly number[], options: LoadBalancerOptions = {}): LoadBalancer {
  const random = options.random ?? Math.random;
  switch (policy) {
    case 'round_robin':
      // Start at a random endpoint so that workers and restarts do not all hit the first one.
      return new RoundRobinLoadBalancer(weights, Math.floor(random() * Math.max(1, weights.length)));
    case 'random':
      return new RandomLoadBalancer(weights, random);
  }
}
