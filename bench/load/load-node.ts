// Runs the Node load generator (node-load.js) as a child process on the generator's core.
import { distPath } from '../paths.js';
import { stop, type ProcessGroup } from '../system/processes.js';
import type { LoadGenerator, LoadResult, LoadSpec, MeasureWindow } from './types.js';

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
    async run(spec: LoadSpec, group: ProcessGroup, window: MeasureWindow): Promise<LoadResult> {
      const child = group.spawn(process.execPath, [distPath('bench/load/node-load.js'), JSON.stringify(spec)], { core: 0, label: 'node load generator' });
      const timer = setTimeout(() => void stop(child, 'SIGKILL'), (spec.durationS + 30) * 1000);
      try {
        // The child prints "counting" after its own warm-up and "counted" before it closes its connections.
        await child.waitForLine(/^counting$/m, 30_000);
        window.open(child.pid);
        await child.waitForLine(/^counted$/m, (spec.durationS + 20) * 1000);
        window.close(child.pid);
        await child.exited;
      } finally {
        clearTimeout(timer);
      }
      const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) throw new Error(`node load generator printed no result: ${child.tail()}`);
      return JSON.parse(line) as LoadResult;
    },
  };
}
