// ConfigError: one problem in a config document, naming the file, the field and (when known) the line.

export interface ConfigError {
  /** The document's file name (or a label such as "control-plane push"). */
  readonly file: string;
  /** The field, e.g. `clusters[0].endpoints[1].address`; "" for the document as a whole. */
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** `weft.yaml:12:9: clusters[0].endpoints[1].address: must be "host:port"` */
export function formatConfigError(e: ConfigError): string {
  const where = e.line !== undefined ? `${e.file}:${e.line}:${e.column ?? 1}` : e.file;
  return e.path ? `${where}: ${e.path}: ${e.message}` : `${where}: ${e.message}`;
}

/** Path segments to the dotted/bracketed form users read: ['a', 0, 'b'] -> `a[0].b`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${s}` : s;
  }
  return out;
}

/** JSON pointer (`/clusters/0/name`) to segments (numbers for array indexes). */
export function pointerToSegments(pointer: string): (string | number)[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}
