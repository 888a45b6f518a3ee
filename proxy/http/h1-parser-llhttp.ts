// H1Parser on llhttp compiled to Wasm (the build undici ships): strict HTTP/1.x framing, one instance per process.
import { createRequire } from 'node:module';
import {
  CallbackAction,
  HeadAction,
  ParseStatus,
  type H1Head,
  type H1ParseError,
  type H1ParseErrorKind,
  type H1Parser,
  type H1ParserHandler,
  type H1ParserLimits,
} from './h1-parser.js';

const require = createRequire(import.meta.url);

/** The few WebAssembly globals used here (the compile target's lib has no WebAssembly types). */
interface WasmGlobals {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmGlobals }).WebAssembly;

interface LlhttpExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  llhttp_alloc(type: number): number;
  llhttp_free(parser: number): void;
  malloc(size: number): number;
  free(ptr: number): void;
  llhttp_execute(parser: number, data: number, len: number): number;
  llhttp_finish(parser: number): number;
  llhttp_resume(parser: number): void;
  llhttp_get_error_pos(parser: number): number;
  llhttp_get_error_reason(parser: number): number;
  llhttp_get_method(parser: number): number;
  llhttp_get_http_major(parser: number): number;
  llhttp_get_http_minor(parser: number): number;
}

interface LlhttpConstants {
  ERROR: Record<string, number>;
  METHODS: Record<string, number>;
  TYPE: Record<string, number>;
}

const C = require('undici/lib/llhttp/constants.js') as LlhttpConstants;
const HPE_OK = C.ERROR.OK!;
const HPE_PAUSED = C.ERROR.PAUSED!;
const HPE_PAUSED_UPGRADE = C.ERROR.PAUSED_UPGRADE!;
const HPE_USER = C.ERROR.USER!;
const TYPE_REQUEST = C.TYPE.REQUEST!;
const TYPE_RESPONSE = C.TYPE.RESPONSE!;
const ERROR_NAMES: string[] = [];
for (const [name, code] of Object.entries(C.ERROR)) ERROR_NAMES[code] = name;
const METHOD_NAMES: string[] = [];
for (const [name, code] of Object.entries(C.METHODS)) METHOD_NAMES[code] = name;

const EMPTY = Buffer.alloc(0);
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** The one llhttp Wasm instance of this process; parsers are allocated in its memory and run one at a time. */
class LlhttpRuntime {
  readonly e: LlhttpExports;
  current: LlhttpParser | null = null;
  chunk: Buffer = EMPTY;
  bufPtr = 0;
  /** The head bytes of `chunk` decoded once; spans are substrings of it. */
  private text = '';
  private textStart = 0;
  private textEnd = 0;
  private bufSize = 0;

  constructor() {
    const env = {
      wasm_on_message_begin: () => this.current!.cbMessageBegin(),
      wasm_on_url: (_p: number, at: number, len: number) => this.current!.cbUrl(at - this.bufPtr, len),
      wasm_on_status: (_p: number, _at: number, len: number) => this.current!.cbStatus(len),
      wasm_on_header_field: (_p: number, at: number, len: number) => this.current!.cbHeaderField(at - this.bufPtr, len),
      wasm_on_header_value: (_p: number, at: number, len: number) => this.current!.cbHeaderValue(at - this.bufPtr, len),
      wasm_on_headers_complete: (_p: number, status: number, upgrade: number, keepAlive: number) =>
        this.current!.cbHeadersComplete(status, upgrade === 1, keepAlive === 1),
      wasm_on_body: (_p: number, at: number, len: number) => this.current!.cbBody(at - this.bufPtr, len),
      wasm_on_message_complete: () => this.current!.cbMessageComplete(),
    };
    this.e = new Wasm.Instance(loadModule(), { env }).exports as unknown as LlhttpExports;
  }

  /** Copies `data` into Wasm memory (growing the shared input buffer when needed). */
  load(data: Buffer): void {
    if (data.length > this.bufSize) {
      if (this.bufPtr !== 0) this.e.free(this.bufPtr);
      this.bufSize = Math.ceil(data.length / 16384) * 16384;
      this.bufPtr = this.e.malloc(this.bufSize);
    }
    new Uint8Array(this.e.memory.buffer, this.bufPtr, data.length).set(data);
  }

  /** Starts a new input chunk (forgets the decoded head text). */
  setChunk(chunk: Buffer): void {
    this.chunk = chunk;
    this.textEnd = 0;
  }

  /**
   * The latin1 text of chunk[at, at + len). The head part of the chunk (up to its blank line) is
   * decoded once and spans are cut from it: one native call per head instead of one per field.
   */
  span(at: number, len: number): string {
    const end = at + len;
    if (at < this.textStart || end > this.textEnd) {
      const c = this.chunk;
      const blank = c.indexOf(HEAD_END, at);
      const to = blank < 0 ? c.length : blank + 4;
      if (end > to) return c.toString('latin1', at, end);
      this.text = c.toString('latin1', at, to);
      this.textStart = at;
      this.textEnd = to;
    }
    return this.text.substring(at - this.textStart, end - this.textStart);
  }

  cString(ptr: number): string {
    if (ptr === 0) return '';
    const mem = new Uint8Array(this.e.memory.buffer);
    let end = ptr;
    while (end < mem.length && mem[end] !== 0) end++;
    return Buffer.from(mem.buffer, ptr, end - ptr).toString('latin1');
  }
}

function loadModule(): object {
  try {
    return new Wasm.Module(require('undici/lib/llhttp/llhttp_simd-wasm.js') as Buffer);
  } catch {
    return new Wasm.Module(require('undici/lib/llhttp/llhttp-wasm.js') as Buffer);
  }
}

let runtime: LlhttpRuntime | undefined;

function getRuntime(): LlhttpRuntime {
  runtime ??= new LlhttpRuntime();
  return runtime;
}

const FIELD_NONE = 0;
const FIELD_NAME = 1;
const FIELD_VALUE = 2;
/** Per-field overhead counted against the header limit (": " and CRLF). */
const FIELD_OVERHEAD = 4;

class LlhttpParser implements H1Parser {
  stopOffset = 0;
  error: H1ParseError | undefined;
  inMessage = false;
  inHead = false;

  private readonly rt: LlhttpRuntime;
  private ptr: number;
  private freeAfterExecute = false;
  private thrown: { error: unknown } | undefined;
  private errorKind: H1ParseErrorKind = 'protocol';
  private errorReason = '';

  private url = '';
  private fields: string[] = [];
  private fieldState = FIELD_NONE;
  private headBytes = 0;
  /** Raw bytes fed while the head was incomplete: bounds whitespace that no span reports. */
  private rawHeadBytes = 0;
  private upgrade = false;

  constructor(
    private readonly kind: 'request' | 'response',
    private readonly handler: H1ParserHandler,
    private readonly limits: H1ParserLimits,
  ) {
    this.rt = getRuntime();
    this.ptr = this.rt.e.llhttp_alloc(kind === 'request' ? TYPE_REQUEST : TYPE_RESPONSE);
  }

  execute(data: Buffer): ParseStatus {
    if (this.ptr === 0 || this.error) return ParseStatus.Error;
    const rt = this.rt;
    if (rt.current !== null) throw new Error('llhttp: execute re-entered from a parser callback');
    const headBefore = !this.inMessage || this.inHead;
    rt.load(data);
    rt.current = this;
    rt.setChunk(data);
    let ret: number;
    try {
      ret = rt.e.llhttp_execute(this.ptr, rt.bufPtr, data.length);
    } finally {
      rt.current = null;
      rt.setChunk(EMPTY);
    }
    return this.afterExecute(ret, data.length, headBefore);
  }

  finish(): ParseStatus {
    if (this.ptr === 0 || this.error) return ParseStatus.Error;
    const rt = this.rt;
    if (rt.current !== null) throw new Error('llhttp: finish re-entered from a parser callback');
    rt.current = this;
    let ret: number;
    try {
      ret = rt.e.llhttp_finish(this.ptr);
    } finally {
      rt.current = null;
    }
    return this.afterExecute(ret, 0, false);
  }

  resume(): void {
    if (this.ptr !== 0) this.rt.e.llhttp_resume(this.ptr);
  }

  destroy(): void {
    if (this.ptr === 0) return;
    if (this.rt.current === this) {
      this.freeAfterExecute = true;
      return;
    }
    this.rt.e.llhttp_free(this.ptr);
    this.ptr = 0;
  }

  private afterExecute(ret: number, length: number, headBefore: boolean): ParseStatus {
    if (this.thrown) {
      const { error } = this.thrown;
      this.thrown = undefined;
      this.fail('rejected', 'INTERNAL', 'a parser callback threw');
      this.release();
      throw error;
    }
    if (this.freeAfterExecute) {
      this.release();
      if (!this.error) this.fail('rejected', 'DESTROYED', 'the parser was destroyed');
      return ParseStatus.Error;
    }
    if (ret === HPE_OK) {
      if (headBefore && this.inHead) {
        this.rawHeadBytes += length;
        if (this.rawHeadBytes > this.limits.maxHeaderBytes + 1024) {
          this.fail('header_overflow', 'HEADER_OVERFLOW', 'header block too large');
          return ParseStatus.Error;
        }
      }
      return ParseStatus.Ok;
    }
    const e = this.rt.e;
    if (ret === HPE_PAUSED) {
      this.stopOffset = e.llhttp_get_error_pos(this.ptr) - this.rt.bufPtr;
      return ParseStatus.Paused;
    }
    if (ret === HPE_PAUSED_UPGRADE) {
      this.stopOffset = e.llhttp_get_error_pos(this.ptr) - this.rt.bufPtr;
      return ParseStatus.Tunnel;
    }
    this.stopOffset = Math.max(0, e.llhttp_get_error_pos(this.ptr) - this.rt.bufPtr);
    if (!this.error) {
      const code = ERROR_NAMES[ret] ?? `E${ret}`;
      if (ret === HPE_USER || code.startsWith('CB_')) this.fail(this.errorKind, code, this.errorReason || 'rejected by the handler');
      else this.fail('protocol', code, this.rt.cString(e.llhttp_get_error_reason(this.ptr)) || code);
    }
    return ParseStatus.Error;
  }

  private release(): void {
    if (this.ptr !== 0) {
      this.rt.e.llhttp_free(this.ptr);
      this.ptr = 0;
    }
  }

  private fail(kind: H1ParseErrorKind, code: string, reason: string): void {
    this.error = { kind, code, reason };
  }

  /** Marks the error a callback is about to report by returning -1. */
  private reject(kind: H1ParseErrorKind, reason: string): number {
    this.errorKind = kind;
    this.errorReason = reason;
    return -1;
  }

  private overLimits(): boolean {
    return this.headBytes > this.limits.maxHeaderBytes || this.fields.length > this.limits.maxHeaderCount * 2;
  }

  // --- llhttp callbacks (called only from inside execute/finish) ---

  cbMessageBegin(): number {
    this.inMessage = true;
    this.inHead = true;
    this.url = '';
    this.fields = [];
    this.fieldState = FIELD_NONE;
    this.headBytes = 0;
    this.rawHeadBytes = 0;
    this.upgrade = false;
    return 0;
  }

  cbUrl(at: number, len: number): number {
    this.url += this.rt.span(at, len);
    this.headBytes += len;
    return this.headBytes > this.limits.maxHeaderBytes ? this.reject('header_overflow', 'request line too long') : 0;
  }

  cbStatus(len: number): number {
    this.headBytes += len;
    return 0;
  }

  cbHeaderField(at: number, len: number): number {
    const s = this.rt.span(at, len);
    const f = this.fields;
    if (this.fieldState === FIELD_NAME) {
      f[f.length - 2] += s;
    } else {
      f.push(s, '');
      this.headBytes += FIELD_OVERHEAD;
      this.fieldState = FIELD_NAME;
    }
    this.headBytes += len;
    return this.overLimits() ? this.reject('header_overflow', 'too many header fields or header block too large') : 0;
  }

  cbHeaderValue(at: number, len: number): number {
    const s = this.rt.span(at, len);
    const f = this.fields;
    if (this.fieldState === FIELD_VALUE) f[f.length - 1] += s;
    else {
      f[f.length - 1] = s;
      this.fieldState = FIELD_VALUE;
    }
    this.headBytes += len;
    return this.headBytes > this.limits.maxHeaderBytes ? this.reject('header_overflow', 'header block too large') : 0;
  }

  cbHeadersComplete(status: number, upgrade: boolean, keepAlive: boolean): number {
    try {
      const e = this.rt.e;
      const headers = normalizeFields(this.fields);
      const head: H1Head = {
        method: this.kind === 'request' ? (METHOD_NAMES[e.llhttp_get_method(this.ptr)] ?? '') : '',
        url: this.url,
        status,
        versionMajor: e.llhttp_get_http_major(this.ptr),
        versionMinor: e.llhttp_get_http_minor(this.ptr),
        headers,
        keepAlive,
        upgrade,
        headBytes: this.headBytes,
      };
      this.inHead = false;
      this.fields = [];
      this.fieldState = FIELD_NONE;
      this.headBytes = 0;
      const action = this.handler.onHead(head);
      if (action === HeadAction.Reject) return this.reject('rejected', 'rejected by the handler');
      if (action === HeadAction.Tunnel) this.upgrade = true;
      else this.upgrade = upgrade;
      return action;
    } catch (error) {
      this.thrown = { error };
      return -1;
    }
  }

  cbBody(at: number, len: number): number {
    try {
      const r = this.handler.onBody(this.rt.chunk.subarray(at, at + len));
      if (r === CallbackAction.Pause) return HPE_PAUSED;
      return r === CallbackAction.Reject ? this.reject('rejected', 'rejected by the handler') : 0;
    } catch (error) {
      this.thrown = { error };
      return -1;
    }
  }

  cbMessageComplete(): number {
    try {
      const trailers = this.fields.length > 0 ? normalizeFields(this.fields) : undefined;
      this.fields = [];
      this.fieldState = FIELD_NONE;
      this.inMessage = false;
      this.inHead = false;
      const r = this.handler.onMessageComplete(trailers);
      // An upgrade pauses by itself (PAUSED_UPGRADE); a pause request here would hide it.
      if (r === CallbackAction.Pause && !this.upgrade) return HPE_PAUSED;
      return r === CallbackAction.Reject ? this.reject('rejected', 'rejected by the handler') : 0;
    } catch (error) {
      this.thrown = { error };
      return -1;
    }
  }
}

/** Lowercases names and strips surrounding whitespace (OWS) from values, in place. */
function normalizeFields(f: string[]): string[] {
  for (let i = 0; i < f.length; i += 2) {
    f[i] = f[i]!.toLowerCase();
    const v = f[i + 1]!;
    const last = v.length - 1;
    if (last >= 0) {
      const c0 = v.charCodeAt(0);
      const cl = v.charCodeAt(last);
      if (c0 === 32 || c0 === 9 || cl === 32 || cl === 9) f[i + 1] = v.replace(/^[ \t]+|[ \t]+$/g, '');
    }
  }
  return f;
}

/** Creates an llhttp-backed parser (the Wasm module is compiled on first use). */
export function createLlhttpParser(kind: 'request' | 'response', handler: H1ParserHandler, limits: H1ParserLimits): H1Parser {
  return new LlhttpParser(kind, handler, limits);
}
