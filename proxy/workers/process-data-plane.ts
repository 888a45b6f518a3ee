// The composition root of a data-plane process: the data plane, with the Wasm plugin host as its filter-chain builder.
import { createDataPlane } from '../data-plane-impl.js';
import { PluginManager, sharedDataFromEnv } from '../wasm/index.js';
import type { DataPlaneFactory } from './data-plane-host.js';

/**
 * With workers, plugins share data through the primary (WEFT_SHARED_DATA_SOCKET, set by the
 * wasm-shared-data process hook); in a single process, in memory.
 */
export const createProcessDataPlane: DataPlaneFactory = async ({ logging, metrics }) => {
  const sharedData = await sharedDataFromEnv();
  // Callouts go to the live Snapshot's clusters (the data plane is made after the plugin host it uses).
  let dataPlane: ReturnType<typeof createDataPlane> | undefined;
  const plugins = new PluginManager({ logging, registry: metrics, sharedData, clusters: () => dataPlane?.clusters() });
  dataPlane = createDataPlane({ logging, metrics, filterChains: plugins });
  return {
    dataPlane,
    close: async () => {
      await plugins.close();
      sharedData.close?.();
    },
  };
};
