// DomainIndex: picks the virtual host for a host name — exact domain, then longest "*.suffix", then "*".

/** Lowercase, without one trailing dot: how configured domains are compared with request hosts. */
export function normalizeDomain(domain: string): string {
  const d = domain.toLowerCase();
  return d.length > 1 && d.endsWith('.') ? d.slice(0, -1) : d;
}

interface SuffixGroup<T> {
  /** Length of the suffixes in this group, the leading dot included (".example.com" -> 12). */
  readonly length: number;
  readonly bySuffix: Map<string, T>;
  /** The group's only entry, compared with `endsWith` instead of a slice and a map lookup. */
  readonly single?: readonly [string, T];
}

/**
 * Immutable once built. `*.example.com` matches `a.example.com` and `a.b.example.com`, never
 * `example.com` itself: the wildcard stands for at least one character. Lookups expect a host
 * already normalized by `normalizeHost`.
 */
export class DomainIndex<T> {
  private readonly exact = new Map<string, T>();
  private readonly suffixes: SuffixGroup<T>[];
  private readonly fallback: T | undefined;

  /** Entries in config order; when two entries claim the same domain, the first keeps it. */
  constructor(entries: Iterable<readonly [domain: string, value: T]>) {
    const groups = new Map<number, Map<string, T>>();
    let fallback: T | undefined;
    for (const [raw, value] of entries) {
      const domain = normalizeDomain(raw);
      if (domain === '*') {
        fallback ??= value;
      } else if (domain.startsWith('*.')) {
        const suffix = domain.slice(1);
        let group = groups.get(suffix.length);
        if (!group) groups.set(suffix.length, (group = new Map()));
        if (!group.has(suffix)) group.set(suffix, value);
      } else if (!this.exact.has(domain)) {
        this.exact.set(domain, value);
      }
    }
    this.fallback = fallback;
    this.suffixes = [...groups]
      .sort((a, b) => b[0] - a[0])
      .map(([length, bySuffix]) => (bySuffix.size === 1 ? { length, bySuffix, single: [...bySuffix][0]! } : { length, bySuffix }));
  }

  lookup(host: string): T | undefined {
    const exact = this.exact.get(host);
    if (exact !== undefined) return exact;
    for (const g of this.suffixes) {
      if (g.length >= host.length) continue;
      if (g.single) {
        if (host.endsWith(g.single[0])) return g.single[1];
      } else {
        const hit = g.bySuffix.get(host.slice(host.length - g.length));
        if (hit !== undefined) return hit;
      }
    }
    return this.fallback;
  }
}
