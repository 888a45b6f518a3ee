// The StreamInfo of one stream, filled in as the stream progresses.
import { performance } from 'node:perf_hooks';
import type { ConnectionInfo, StreamInfo, TlsInfo } from './stream-info.js';

export class StreamInfoImpl implements StreamInfo {
  requestId = '';
  readonly startTime: number;
  readonly startMonotonic: number;
  routeName?: string;
  clusterName?: string;
  upstreamAddress?: string;
  upstreamTls?: TlsInfo;
  responseCode?: number;
  responseCodeDetails?: string;
  requestBodyBytes = 0;
  responseBodyBytes = 0;
  requestHeaderBytes = 0;
  responseHeaderBytes = 0;
  private state: Map<string, Uint8Array> | undefined;

  constructor(
    readonly connection: ConnectionInfo,
    readonly protocol: 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2',
  ) {
    this.startTime = Date.now();
    this.startMonotonic = performance.now();
  }

  get filterState(): Map<string, Uint8Array> {
    this.state ??= new Map();
    return this.state;
  }
}
