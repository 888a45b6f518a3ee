// TypeBox errors -> one readable message per field, in the words of a config file (list, mapping, duration…).
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { formatPath, pointerToSegments } from './errors.js';

export interface FieldError {
  readonly path: string;
  readonly segments: (string | number)[];
  readonly message: string;
}

/** One error per field; for a union, the errors of the branch the value most likely meant. */
export function collectSchemaErrors(errors: ValueError[]): FieldError[] {
  const byPath = new Map<string, FieldError>();
  for (const e of errors) {
    const segments = pointerToSegments(e.path);
    if (e.type === ValueErrorType.Union && e.errors.length > 0) {
      // Pick the branch whose first error goes deepest: it is the one the user most likely meant.
      const branches = e.errors.map((it) => [...it]);
      branches.sort((a, b) => depth(b) - depth(a));
      const best = branches[0]!;
      if (best.length > 0 && depth(best) > segments.length) {
        for (const sub of collectSchemaErrors(best)) if (!byPath.has(sub.path)) byPath.set(sub.path, sub);
        continue;
      }
    }
    const path = formatPath(segments);
    if (!byPath.has(path)) byPath.set(path, { path, segments, message: describe(e) });
  }
  return [...byPath.values()];
}

function depth(errors: ValueError[]): number {
  return errors.length === 0 ? -1 : pointerToSegments(errors[0]!.path).length;
}

/** How a value reads in a message: strings quoted, collections by kind. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  return String(v);
}

function describe(e: ValueError): string {
  const schema = e.schema as Record<string, unknown>;
  const got = ` (got ${describeValue(e.value)})`;
  const expect = typeof schema['x-expect'] === 'string' ? schema['x-expect'] : undefined;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties: {
      // The path names the unexpected key; the schema is its object's.
      const props = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
      return `unknown field${props.length ? ` (expected one of: ${props.join(', ')})` : ''}`;
    }
    case ValueErrorType.Object:
      return `must be a mapping${got}`;
    case ValueErrorType.Array:
      return `must be a list${got}`;
    case ValueErrorType.String:
      // YAML reads 0123, 1e5 and true unquoted as a number or a boolean.
      return typeof e.value === 'number' || typeof e.value === 'boolean' ? `must be a string${got}: put it in quotes` : `must be a string${got}`;
    case ValueErrorType.Integer:
      return `must be a whole number${got}`;
    case ValueErrorType.Number:
      return `must be a number${got}`;
    case ValueErrorType.Boolean:
      return `must be true or false${got}`;
    case ValueErrorType.ArrayMinItems: {
      const n = schema.minItems as number;
      return `must have at least ${n} ${n === 1 ? 'item' : 'items'}`;
    }
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${schema.maxItems as number} items`;
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength as number} characters long`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${schema.maxLength as number} characters long`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `must be at least ${schema.minimum as number}${got}`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `must be at most ${schema.maximum as number}${got}`;
    case ValueErrorType.StringPattern:
      return expect ? `${describeValue(e.value)} is not ${expect}` : `${describeValue(e.value)} does not match ${String(schema.pattern)}`;
    case ValueErrorType.Literal:
      return `must be ${JSON.stringify(schema.const)}${got}`;
    case ValueErrorType.Union: {
      if (expect) return `${describeValue(e.value)} is not ${expect}`;
      const options = (schema.anyOf as { const?: unknown }[] | undefined)?.map((o) => o.const).filter((c) => c !== undefined);
      if (options && options.length > 0) return `${describeValue(e.value)} is not one of ${options.map((o) => JSON.stringify(o)).join(', ')}`;
      return `${describeValue(e.value)} is not one of the allowed values`;
    }
    default:
      return e.message.charAt(0).toLowerCase() + e.message.slice(1);
  }
}
