// Runs the Node load generator (node-load.js) as a child process on the generator's core.
import { distPath } from '../paths.js';
import type { ProcessGroup } from '../system/processes.js';
import type { LoadGenerator, LoadResult, LoadSpec } from './types.js';

export function createNodeGenerator(): LoadGenerator {
  return {
    name: 'node',
    version: process.version,
    describe: (spec) =>
      spec.rate !== undefined
        ? `Node open-loop generator at ${spec.rate} rps over ${spec.connections} connections`
        : spec.protocol === 'h1'
          ? `Node generator (undici Pool, ${spec.connections} connections)`
          : `Node generator (node:http2, ${spec.connections} sessions × ${spec.streams} streams)`,
    async run(spec: LoadSpec, group: ProcessGroup): Promise<LoadResult> {
      const child = await group.run(process.execPath, [distPath('bench/load/node-load.js'), JSON.stringify(spec)], {
        core: 0,
        label: 'node load generator',
        timeoutMs: (spec.durationS + 30) * 1000,
      });
      const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) throw new Error(`node load generator printed no result: ${child.tail()}`);
      return JSON.parse(line) as LoadResult;
    },
  };
}
