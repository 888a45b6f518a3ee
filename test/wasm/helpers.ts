// Test helpers for the Wasm host: compile WAT and AssemblyScript in the test, capture logs, drive filters as a chain would.
import { Writable } from 'node:stream';
import wabtInit from 'wabt';
import asc from 'assemblyscript/asc';
import { Logging } from '../../lib/log.js';
import { HeaderMap } from '../../proxy/http/header-map.js';
import { BodyBuffer } from '../../proxy/http/body-buffer.js';
import type { HttpFilterCallbacks, LocalReply } from '../../proxy/http/filter.js';
import type { ConnectionInfo, StreamInfo } from '../../proxy/http/stream-info.js';

let wabtPromise: ReturnType<typeof wabtInit> | undefined;

/** Wasm proposals wabt may parse beyond the defaults tests use (all of them ship in Node 20's V8). */
export interface WatFeatures {
  readonly simd?: boolean;
  readonly exceptions?: boolean;
  readonly tail_call?: boolean;
  readonly reference_types?: boolean;
  readonly sat_float_to_int?: boolean;
}

/** WAT text -> Wasm bytes (wabt, in the test). */
export async function wat(text: string, features: WatFeatures = {}): Promise<Uint8Array> {
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  const mod = wabt.parseWat('test.wat', text, { mutable_globals: true, sign_extension: true, bulk_memory: true, multi_value: true, ...features });
  try {
    mod.resolveNames();
    mod.validate();
    return Uint8Array.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** AssemblyScript sources -> Wasm bytes and source map (asc, in memory). */
export async function compileAs(files: Record<string, string>, entry: string, args: string[] = []): Promise<{ binary: Uint8Array; sourceMap: string | undefined; stderr: string }> {
  const outputs = new Map<string, Uint8Array | string>();
  const stderr: string[] = [];
  const sink = { write: (s: string | Uint8Array) => void stderr.push(String(s)) };
  const res = await asc.main([entry, '--outFile', 'out.wasm', '--sourceMap', '--runtime', 'stub', '--exportRuntime', '--exportStart', '_initialize', ...args], {
    readFile: (name: string) => files[name.replace(/^\.\//, '')] ?? null,
    writeFile: (name: string, contents: Uint8Array | string) => void outputs.set(name, contents),
    listFiles: () => [],
    stdout: sink,
    stderr: sink,
  });
  if (res.error) throw new Error(`asc failed: ${res.error.message}\n${stderr.join('')}`);
  const binary = outputs.get('out.wasm');
  if (!(binary instanceof Uint8Array)) throw new Error(`asc produced no binary\n${stderr.join('')}`);
  const map = outputs.get('out.wasm.map');
  return { binary, sourceMap: typeof map === 'string' ? map : map ? Buffer.from(map).toString('utf8') : undefined, stderr: stderr.join('') };
}

/** A Logging whose JSON lines are kept for assertions. */
export function captureLogging(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' = 'info'): { logging: Logging; lines: () => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logging: new Logging({ level, destination }), lines: () => lines };
}

export function testConnection(over: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return { id: 7, listenerName: 'ingress', remoteAddress: '10.0.0.1', remotePort: 40000, localAddress: '10.0.0.2', localPort: 8080, ...over };
}

export function testStreamInfo(): StreamInfo {
  return {
    connection: testConnection(),
    requestId: 'req-1',
    startTime: Date.now(),
    startMonotonic: performance.now(),
    protocol: 'HTTP/1.1',
    requestBodyBytes: 0,
    responseBodyBytes: 0,
    requestHeaderBytes: 0,
    responseHeaderBytes: 0,
    filterState: new Map(),
  };
}

/**
 * Drives one filter the way the filter chain does (for tests of the adapter alone; the data
 * plane runs the real chain). Records what the filter asks of its stream.
 */
export class TestStream implements HttpFilterCallbacks {
  readonly info = testStreamInfo();
  reqHeaders: HeaderMap | undefined;
  reqTrailers: HeaderMap | undefined;
  resHeaders: HeaderMap | undefined;
  resTrailers: HeaderMap | undefined;
  heldRequestBody: BodyBuffer | undefined;
  heldResponseBody: BodyBuffer | undefined;
  continued = { request: 0, response: 0 };
  replies: LocalReply[] = [];
  resets = 0;
  routeCacheCleared = 0;
  onContinue: ((side: 'request' | 'response') => void) | undefined;

  continueRequest(): void {
    this.continued.request++;
    this.onContinue?.('request');
  }
  continueResponse(): void {
    this.continued.response++;
    this.onContinue?.('response');
  }
  sendLocalReply(reply: LocalReply): void {
    this.replies.push(reply);
  }
  resetStream(): void {
    this.resets++;
  }
  requestHeaders(): HeaderMap | undefined {
    return this.reqHeaders;
  }
  requestTrailers(create?: boolean): HeaderMap | undefined {
    if (!this.reqTrailers && create) this.reqTrailers = new HeaderMap();
    return this.reqTrailers;
  }
  responseHeaders(): HeaderMap | undefined {
    return this.resHeaders;
  }
  responseTrailers(create?: boolean): HeaderMap | undefined {
    if (!this.resTrailers && create) this.resTrailers = new HeaderMap();
    return this.resTrailers;
  }
  bufferedRequestBody(): BodyBuffer | undefined {
    return this.heldRequestBody;
  }
  bufferedResponseBody(): BodyBuffer | undefined {
    return this.heldResponseBody;
  }
  clearRouteCache(): void {
    this.routeCacheCleared++;
  }
}

export function requestHeaders(extra: [string, string][] = []): HeaderMap {
  const h = new HeaderMap([':method', 'GET', ':scheme', 'http', ':authority', 'example.test', ':path', '/a?b=1']);
  for (const [k, v] of extra) h.add(k, v);
  return h;
}

export function body(text: string): BodyBuffer {
  const b = new BodyBuffer();
  b.append(Buffer.from(text));
  return b;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
