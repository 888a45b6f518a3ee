// Test helpers for the Snapshot schema: seeded random mutations of config documents, and an optional JSON Schema validator.

/** xorshift32: deterministic, so a failing case is reproduced by its seed. */
export function seededRandom(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

/** Values that probe every type and edge a field might meet. */
export const ODD_VALUES: readonly unknown[] = [
  '', 'x', 'a b', '5s', '250ms', '1000h', '-1', '64KiB', 0, -1, 1.5, 65536, 1e300, true, false, null,
  [], {}, [1, 'a'], { a: 1 }, { name: 'x' }, [{ name: 'x' }], 'a'.repeat(300), '127.0.0.1:80', '[::1]:0', '*:9901',
  '*', '*.example.com', '(', '[', '/', '/a', 'GET', 'get', '\u0000', '\r\n', '__proto__', 'é€😀', 'h2', 'http', 'tcp',
];

type Container = Record<string, unknown> | unknown[];

/** Every [container, key] pair in a plain JSON value (the root itself excluded). */
function slots(root: unknown): [Container, string | number][] {
  const out: [Container, string | number][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        out.push([v, i]);
        walk(item);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        out.push([v as Record<string, unknown>, k]);
        walk(item);
      }
    }
  };
  walk(root);
  return out;
}

/**
 * Applies 1-3 random structural mutations in place: replace a value (by an odd value or by
 * another value of the document, e.g. a name where a duration belongs), delete it, add an
 * unknown or misspelt key, duplicate or drop a list item.
 */
export function mutateValue(root: Record<string, unknown>, rand: (n: number) => number): void {
  const count = 1 + rand(3);
  for (let m = 0; m < count; m++) {
    const all = slots(root);
    if (all.length === 0) return;
    const [container, key] = all[rand(all.length)]!;
    const get = () => (container as Record<string | number, unknown>)[key];
    const set = (v: unknown) => {
      (container as Record<string | number, unknown>)[key] = v;
    };
    switch (rand(7)) {
      case 0:
        set(structuredClone(ODD_VALUES[rand(ODD_VALUES.length)]));
        break;
      case 1: {
        const [c2, k2] = all[rand(all.length)]!;
        set(structuredClone((c2 as Record<string | number, unknown>)[k2]));
        break;
      }
      case 2:
        if (Array.isArray(container)) container.splice(key as number, 1);
        else delete container[key as string];
        break;
      case 3:
        if (!Array.isArray(container)) container[`${String(key)}_x`] = get();
        break;
      case 4:
        if (Array.isArray(container)) container.splice(key as number, 0, structuredClone(get()));
        break;
      case 5:
        if (!Array.isArray(container) && typeof key === 'string') {
          const v = get();
          delete container[key];
          container[key.slice(0, -1) || 'z'] = v;
        }
        break;
      default: {
        const v = get();
        if (typeof v === 'string') set(v.slice(0, rand(v.length + 1)));
        else if (typeof v === 'number') set(-v);
        else set(structuredClone(ODD_VALUES[rand(ODD_VALUES.length)]));
      }
    }
  }
}

const TEXT_PIECES = [':', '-', ' ', '  ', '\n', '\t', '[', ']', '{', '}', '#', '&a', '*a', '!', '|', '>', "'", '"', ',', '? ', '---\n', 'x', '0', '<<: '];

/** 1-4 random edits of YAML text: insert a YAML-significant piece, delete a span, duplicate or drop a line. */
export function mutateText(text: string, rand: (n: number) => number): string {
  let t = text;
  const count = 1 + rand(4);
  for (let m = 0; m < count; m++) {
    const at = rand(t.length + 1);
    switch (rand(4)) {
      case 0:
        t = t.slice(0, at) + TEXT_PIECES[rand(TEXT_PIECES.length)] + t.slice(at);
        break;
      case 1:
        t = t.slice(0, at) + t.slice(at + 1 + rand(8));
        break;
      case 2: {
        const lines = t.split('\n');
        const i = rand(lines.length);
        lines.splice(i, 0, lines[i]!);
        t = lines.join('\n');
        break;
      }
      default: {
        const lines = t.split('\n');
        lines.splice(rand(lines.length), 1);
        t = lines.join('\n');
      }
    }
  }
  return t;
}

/** Checks a value against a JSON Schema; `errors` describes the last failure. */
export interface JsonSchemaCheck {
  (value: unknown): boolean;
  errors?: unknown;
}

/**
 * A draft-07 JSON Schema validator (ajv, strict) for checking the generated schema, or undefined
 * when ajv is not installed: it is not a dependency of Weft, tests that use it skip loudly.
 */
export async function loadAjv(): Promise<((schema: object) => JsonSchemaCheck) | undefined> {
  let mod: { default: unknown };
  try {
    mod = (await import('ajv' as string)) as { default: unknown };
  } catch {
    return undefined;
  }
  type AjvInstance = { addKeyword(k: string): void; compile(s: object): JsonSchemaCheck };
  const def = mod.default as { default?: unknown };
  const Ajv = (def.default ?? def) as new (opts: object) => AjvInstance;
  const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
  ajv.addKeyword('markdownDescription');
  return (schema) => ajv.compile(schema);
}
