// Header and body inputs the harness accepts, turned into the host's HeaderMap and Buffer.
import { HeaderMap } from '../../proxy/wasm/index.js';

/** Headers as a test writes them: an object (an array value repeats the name), pairs, or a HeaderMap. */
export type HeadersInit = Readonly<Record<string, string | number | readonly string[]>> | readonly (readonly [string, string])[] | HeaderMap;

/** Body bytes as a test writes them: text (UTF-8) or bytes. */
export type BodyInit = string | Uint8Array;

/** A fresh HeaderMap holding `init` (names lowercased, pseudo-headers first). */
export function toHeaderMap(init: HeadersInit | undefined): HeaderMap {
  if (init === undefined) return new HeaderMap();
  if (init instanceof HeaderMap) return init.clone();
  const h = new HeaderMap();
  if (Array.isArray(init)) {
    for (const [k, v] of init as readonly (readonly [string, string])[]) h.add(k, v);
    return h;
  }
  for (const [k, v] of Object.entries(init as Record<string, string | number | readonly string[]>)) {
    if (Array.isArray(v)) for (const one of v) h.add(k, String(one));
    else h.add(k, String(v));
  }
  return h;
}

/** `init` as bytes. */
export function toBytes(init: BodyInit | undefined): Buffer {
  if (init === undefined) return Buffer.alloc(0);
  return typeof init === 'string' ? Buffer.from(init, 'utf8') : Buffer.from(init.buffer, init.byteOffset, init.byteLength);
}
