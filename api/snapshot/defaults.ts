// Fills in schema defaults where a field is absent (or empty: `key:` with nothing in YAML).
import { Kind, type TSchema } from '@sinclair/typebox';

/**
 * Mutates `value` (a fresh plain copy) in place and returns it, or the default when `value` is
 * undefined. Only absent fields get defaults: a value of the wrong type is left for the schema
 * check to report (TypeBox's `Value.Default` would quietly swap `clusters: {}` for `[]`).
 * A null field is treated as absent, except where any value is allowed (plugin configuration).
 */
export function applyDefaults(schema: TSchema, value: unknown): unknown {
  if (value === undefined) {
    if (!('default' in schema)) return undefined;
    value = structuredClone(schema.default);
  }
  const s = schema as { type?: unknown; properties?: Record<string, TSchema>; items?: TSchema };
  if (s.type === 'object' && s.properties && isObject(value)) {
    for (const [key, sub] of Object.entries(s.properties)) {
      let current = Object.hasOwn(value, key) ? value[key] : undefined;
      if (current === null && sub[Kind] !== 'Unknown') {
        delete value[key];
        current = undefined;
      }
      const v = applyDefaults(sub, current);
      if (v !== undefined) value[key] = v;
    }
  } else if (s.type === 'array' && s.items && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = applyDefaults(s.items, value[i]);
      if (v !== undefined) value[i] = v;
    }
  }
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
