// What the bench upstream serves: the paths and body sizes every case and row agree on.

export const TINY_PATH = '/tiny';
export const TINY_BODY = 'hello, world\n';
export const LARGE_PATH = '/64k';
export const LARGE_BYTES = 64 * 1024;

/** The 64 KiB body: printable, so a mix-up with the tiny body is obvious in a capture. */
export function largeBody(): Buffer {
  const b = Buffer.alloc(LARGE_BYTES);
  for (let i = 0; i < LARGE_BYTES; i++) b[i] = 97 + (i % 26);
  return b;
}

/** Body size of a path the upstream serves. */
export function bodyBytes(path: string): number {
  return path === LARGE_PATH ? LARGE_BYTES : Buffer.byteLength(TINY_BODY);
}
