// The process hooks built into Weft, in the order they run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSharedDataServer, SHARED_DATA_SOCKET_ENV } from '../wasm/index.js';
import type { ProcessHooks } from './hooks.js';

/**
 * Shared data and queues of Wasm plugins across workers: the primary serves one store on a Unix
 * socket and tells workers where (WEFT_SHARED_DATA_SOCKET); each worker's plugin host connects to
 * it (`sharedDataFromEnv`). With one process there is no primary and the store is in memory.
 */
export const wasmSharedData: ProcessHooks = {
  name: 'wasm-shared-data',
  async onPrimaryStart({ logging }) {
    const dir = mkdtempSync(join(tmpdir(), 'weft-'));
    const path = join(dir, 'shared-data.sock');
    const server = await createSharedDataServer(path);
    logging.logger('workers').debug({ path }, 'shared data server listening');
    return {
      env: { [SHARED_DATA_SOCKET_ENV]: path },
      close: async () => {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const PROCESS_HOOKS: readonly ProcessHooks[] = [wasmSharedData];
