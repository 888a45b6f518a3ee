// The slice of the WebAssembly JS API the SDK tests use, typed locally (the Node 20 typings in use
// do not declare the WebAssembly namespace).

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export type WasmImports = Record<string, Record<string, unknown>>;

export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

interface WasmApi {
  instantiate(bytes: Uint8Array, imports: WasmImports): Promise<{ instance: WasmInstance; module: WasmModule }>;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(m: WasmModule): { module: string; name: string; kind: string }[];
    exports(m: WasmModule): { name: string; kind: string }[];
  };
  RuntimeError: new (...args: unknown[]) => Error;
}

export const Wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
