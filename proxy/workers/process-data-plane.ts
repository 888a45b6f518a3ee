// The composition root of a data-plane process: the data plane, with the Wasm plugin host as its filter-chain builder.
import { LazyFilterChainBuilder } from '../config/filter-chains-lazy.js';
import { createDataPlane, type DataPlaneImpl } from '../data-plane-impl.js';
import type { DataPlaneFactory } from './data-plane-host.js';

/**
 * The Wasm host is loaded with the first Snapshot that has plugins (a proxy without plugins never
 * imports it, and its weft_wasm_* metrics appear from then on). With workers, plugins share data
 * through the primary (WEFT_SHARED_DATA_SOCKET, set by the wasm-shared-data process hook); in a
 * single process, in memory.
 */
export const createProcessDataPlane: DataPlaneFactory = async ({ logging, metrics }) => {
  // Callouts go to the live Snapshot's clusters (the data plane is made after the plugin host it uses).
  let dataPlane: DataPlaneImpl | undefined;
  const plugins = new LazyFilterChainBuilder(
    (snapshot) => snapshot.plugins.length > 0,
    async () => {
      const { PluginManager, sharedDataFromEnv } = await import('../wasm/index.js');
      const sharedData = await sharedDataFromEnv();
      const manager = new PluginManager({ logging, registry: metrics, sharedData, clusters: () => dataPlane?.clusters() });
      return { builder: manager, close: async () => sharedData.close?.() };
    },
  );
  dataPlane = createDataPlane({ logging, metrics, filterChains: plugins });
  return { dataPlane, close: () => plugins.close() };
};
