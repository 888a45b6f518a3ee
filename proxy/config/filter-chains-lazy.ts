// A FilterChainBuilder that creates the real one (the Wasm host) only when a Snapshot first needs filters.
import type { Snapshot } from '../../api/snapshot/runtime.js';
import { emptyFilterChains, type FilterChainBuilder, type PreparedFilterChains } from './filter-chains.js';

/** The builder `LazyFilterChainBuilder` creates, with what releases it and what it was built with. */
export interface LoadedFilterChainBuilder {
  readonly builder: FilterChainBuilder;
  /** Runs after `builder.close()` (e.g. closes the shared-data store the builder used). */
  readonly close?: () => Promise<void>;
}

/**
 * Until a Snapshot `needs` filters, `prepare` answers `emptyFilterChains` and nothing is loaded:
 * a proxy without plugins never compiles, imports or starts the Wasm host. The first Snapshot
 * that needs filters calls `load` (once; a failed load is retried by the next prepare) and from
 * then on every Snapshot, with filters or not, goes to the loaded builder, so it can release what
 * the previous one used.
 */
export class LazyFilterChainBuilder implements FilterChainBuilder {
  private loading: Promise<LoadedFilterChainBuilder> | undefined;
  private closed = false;

  constructor(
    private readonly needs: (snapshot: Snapshot) => boolean,
    private readonly load: () => Promise<LoadedFilterChainBuilder>,
  ) {}

  /** Whether the real builder was asked for (tests, diagnostics). */
  get loaded(): boolean {
    return this.loading !== undefined;
  }

  async prepare(next: Snapshot, previous: PreparedFilterChains | undefined): Promise<PreparedFilterChains> {
    if (this.loading === undefined) {
      if (!this.needs(next)) return emptyFilterChains;
      const loading = this.load();
      this.loading = loading;
      loading.catch(() => {
        if (this.loading === loading) this.loading = undefined;
      });
    }
    const { builder } = await this.loading;
    return builder.prepare(next, previous === emptyFilterChains ? undefined : previous);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const loaded = await this.loading?.catch(() => undefined);
    if (!loaded) return;
    try {
      await loaded.builder.close();
    } finally {
      await loaded.close?.();
    }
  }
}
