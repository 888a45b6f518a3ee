// Range checks on durations and sizes, which the schema can only check as text ("1000h" is well-formed but too long).
import type { TSchema } from '@sinclair/typebox';
import { MAX_DURATION_MS, parseDuration, parseSize } from './units.js';

export interface UnitProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Walks a schema-valid value beside its schema; reports durations and sizes out of range. */
export function checkUnitLimits(schema: TSchema, value: unknown, path: (string | number)[] = [], out: UnitProblem[] = []): UnitProblem[] {
  const s = schema as { type?: unknown; properties?: Record<string, TSchema>; items?: TSchema; 'x-unit'?: unknown };
  if (s['x-unit'] === 'duration' && (typeof value === 'string' || typeof value === 'number')) {
    const ms = parseDuration(value);
    if (ms !== undefined && ms > MAX_DURATION_MS) {
      out.push({ path, message: `${JSON.stringify(value)} is too long: at most ${MAX_DURATION_MS}ms (about 24.8 days)` });
    }
  } else if (s['x-unit'] === 'size' && (typeof value === 'string' || typeof value === 'number')) {
    const bytes = parseSize(value);
    if (bytes !== undefined && bytes > Number.MAX_SAFE_INTEGER) out.push({ path, message: `${JSON.stringify(value)} is too large` });
  } else if (s.type === 'object' && s.properties && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, sub] of Object.entries(s.properties)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) checkUnitLimits(sub, v, [...path, key], out);
    }
  } else if (s.type === 'array' && s.items && Array.isArray(value)) {
    value.forEach((v, i) => checkUnitLimits(s.items!, v, [...path, i], out));
  }
  return out;
}
