// Copies an untrusted config value into plain JSON data, reporting what JSON cannot hold.

export interface PlainDataProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Deeper than any Snapshot field; plugin configurations nest freely but not this far. */
export const MAX_DEPTH = 64;

/**
 * A deep copy holding only null, booleans, finite numbers, strings, arrays and plain objects,
 * so nothing a YAML tag or a caller's object smuggles in (Buffer, Date, Map, Set, class
 * instances, NaN, Infinity, cycles) reaches the schema checks or the frozen Snapshot. A
 * "__proto__" key stays an ordinary own field (the unknown-field check then reports it).
 * Problems are appended to `problems`; the offending value is replaced by null.
 */
export function toPlainData(value: unknown, problems: PlainDataProblem[]): unknown {
  return copy(value, [], problems, new Set());
}

function copy(value: unknown, path: (string | number)[], problems: PlainDataProblem[], ancestors: Set<object>): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    problems.push({ path, message: `${String(value)} is not a finite number` });
    return null;
  }
  if (typeof value !== 'object') {
    problems.push({ path, message: `a ${typeof value} is not a config value` });
    return null;
  }
  if (ancestors.has(value)) {
    problems.push({ path, message: 'refers to itself (a cycle)' });
    return null;
  }
  if (path.length >= MAX_DEPTH) {
    problems.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
    return null;
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item, i) => copy(item, [...path, i], problems, ancestors));
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      problems.push({ path, message: `a ${kind} is not a config value (use strings, numbers, booleans, lists and mappings)` });
      return null;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, {
        value: copy((value as Record<string, unknown>)[key], [...path, key], problems, ancestors),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
