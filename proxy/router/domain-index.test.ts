// DomainIndex against a plain reference implementation of Envoy's rule, on random domains and hosts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainIndex, normalizeDomain } from './domain-index.js';
import { normalizeHost } from './authority.js';

/** The rule written as plainly as possible: exact, then the longest "*.suffix" (non-empty wildcard), then "*"; first entry wins. */
function reference(entries: readonly (readonly [string, number])[], authority: string): number | undefined {
  const host = normalizeHost(authority);
  const norm = entries.map(([d, v]) => [normalizeDomain(d), v] as const);
  const exact = norm.find(([d]) => d === host);
  if (exact) return exact[1];
  let best: readonly [string, number] | undefined;
  for (const e of norm) {
    const [d] = e;
    if (!d.startsWith('*.')) continue;
    const suffix = d.slice(1);
    if (host.length > suffix.length && host.endsWith(suffix) && (!best || suffix.length > best[0].length - 1)) best = e;
  }
  if (best) return best[1];
  return norm.find(([d]) => d === '*')?.[1];
}

describe('DomainIndex', () => {
  it('agrees with the reference rule on random tables and hosts (fixed seed)', () => {
    let seed = 0x9e3779b9;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const labels = ['a', 'b', 'ab', 'x', 'com', 'B'];
    const name = () => {
      const n = 1 + rand(4);
      const parts: string[] = [];
      for (let i = 0; i < n; i++) parts.push(labels[rand(labels.length)]!);
      return parts.join('.');
    };
    for (let round = 0; round < 300; round++) {
      const entries: [string, number][] = [];
      const count = rand(10);
      for (let i = 0; i < count; i++) {
        const kind = rand(6);
        const d = kind === 0 ? '*' : kind <= 2 ? `*.${name()}` : name();
        entries.push([rand(5) === 0 ? `${d}.` : d, i]);
      }
      const index = new DomainIndex(entries);
      for (let q = 0; q < 40; q++) {
        let host = name();
        if (rand(4) === 0) host += `:${rand(70000)}`;
        if (rand(6) === 0) host = `.${host}`;
        assert.equal(index.lookup(normalizeHost(host)), reference(entries, host), `${JSON.stringify(entries)} / ${host}`);
      }
    }
  });

  it('keeps the first entry for a domain given twice', () => {
    const index = new DomainIndex([
      ['a.test', 1],
      ['A.test.', 2],
      ['*.test', 3],
      ['*.TEST', 4],
      ['*', 5],
      ['*', 6],
    ]);
    assert.equal(index.lookup('a.test'), 1);
    assert.equal(index.lookup('b.test'), 3);
    assert.equal(index.lookup('other'), 5);
  });
});
