// parseSnapshot: text (YAML or JSON) -> a validated, decoded, frozen Snapshot, or errors naming file, field and line.
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { LineCounter, parseDocument, isNode, isPair, type Document } from 'yaml';
import { SnapshotSchema, type Snapshot } from './schema.js';
import { checkSemantics } from './semantics.js';
import { formatPath, pointerToSegments, type ConfigError } from './errors.js';
import { type Result, ok, err } from '../../lib/errors.js';

export interface ParseOptions {
  /** Name used in error messages (default "config"). */
  file?: string;
}

/** Parses and validates a Snapshot document. Never throws on bad input. */
export function parseSnapshot(text: string, options: ParseOptions = {}): Result<Snapshot, ConfigError[]> {
  const file = options.file ?? 'config';
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return err(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, path: '', message: e.message.split('\n')[0]!, line: pos.line, column: pos.col };
      }),
    );
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  return validateSnapshot(raw, { file, locate: locator(doc, lineCounter) });
}

export interface ValidateOptions {
  file?: string;
  /** Maps a field path to its line and column, when the source text is known. */
  locate?: (segments: readonly (string | number)[]) => { line: number; column: number } | undefined;
}

/** Validates an already-parsed object (e.g. from the control plane) the same way as `parseSnapshot`. */
export function validateSnapshot(raw: unknown, options: ValidateOptions = {}): Result<Snapshot, ConfigError[]> {
  const file = options.file ?? 'config';
  const locate = options.locate ?? (() => undefined);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return err([{ file, path: '', message: 'the document must be a mapping (an object) at the top level' }]);
  }
  const withDefaults = Value.Default(SnapshotSchema, Value.Clone(raw));
  const schemaErrors = collectSchemaErrors([...Value.Errors(SnapshotSchema, withDefaults)]);
  if (schemaErrors.length > 0) {
    return err(schemaErrors.map((e) => withPosition({ file, ...e }, locate)));
  }
  const decoded = Value.Decode(SnapshotSchema, withDefaults) as Snapshot;
  const semantic = checkSemantics(decoded);
  if (semantic.length > 0) {
    return err(semantic.map((e) => withPosition({ file, path: formatPath(e.path), message: e.message, segments: e.path }, locate)));
  }
  return ok(deepFreeze(decoded));
}

interface PendingError {
  path: string;
  message: string;
  segments: (string | number)[];
}

function withPosition(
  e: { file: string; path: string; message: string; segments: readonly (string | number)[] },
  locate: NonNullable<ValidateOptions['locate']>,
): ConfigError {
  const pos = locate(e.segments);
  const out: ConfigError = { file: e.file, path: e.path, message: e.message };
  return pos ? { ...out, line: pos.line, column: pos.column } : out;
}

/** Turns TypeBox errors into one readable error per field (unions report their most specific branch). */
function collectSchemaErrors(errors: ValueError[]): PendingError[] {
  const byPath = new Map<string, PendingError>();
  for (const e of errors) {
    const segments = pointerToSegments(e.path);
    let message = describe(e);
    if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      // The path names the unexpected key; the schema is its object's.
      const props = Object.keys((e.schema as { properties?: Record<string, unknown> }).properties ?? {});
      message = `unknown field${props.length ? ` (expected one of: ${props.join(', ')})` : ''}`;
    }
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
    if (!byPath.has(path)) byPath.set(path, { path, segments, message });
  }
  return [...byPath.values()];
}

function depth(errors: ValueError[]): number {
  return errors.length === 0 ? -1 : pointerToSegments(errors[0]!.path).length;
}

function describe(e: ValueError): string {
  const schema = e.schema as Record<string, unknown>;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.StringPattern:
      if (typeof schema['x-expect'] === 'string') return `${JSON.stringify(e.value)} is not ${schema['x-expect']}`;
      return `${JSON.stringify(e.value)} does not match ${String(schema.pattern)}`;
    case ValueErrorType.Union: {
      if (typeof schema['x-expect'] === 'string') return `${JSON.stringify(e.value)} is not ${schema['x-expect']}`;
      const options = (schema.anyOf as { const?: unknown }[] | undefined)?.map((o) => o.const).filter((c) => c !== undefined);
      if (options && options.length > 0) return `${JSON.stringify(e.value)} is not one of ${options.map((o) => JSON.stringify(o)).join(', ')}`;
      return `${JSON.stringify(e.value)} is not one of the allowed values`;
    }
    case ValueErrorType.Literal:
      return `must be ${JSON.stringify(schema.const)}`;
    default:
      return e.message.charAt(0).toLowerCase() + e.message.slice(1);
  }
}

function locator(doc: Document, lines: LineCounter): NonNullable<ValidateOptions['locate']> {
  return (segments) => {
    // Walk up until a node exists (e.g. a missing required field points at its parent).
    for (let n = segments.length; n >= 0; n--) {
      const path = segments.slice(0, n);
      const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
      if (node === undefined) {
        // An unknown key: find the pair so we can point at the key itself.
        if (n === segments.length && n > 0) {
          const parent = n === 1 ? doc.contents : doc.getIn(segments.slice(0, n - 1), true);
          const key = segments[n - 1];
          if (parent && isNode(parent) && 'items' in parent) {
            for (const item of (parent as { items: unknown[] }).items) {
              if (isPair(item) && isNode(item.key) && (item.key as { value?: unknown }).value === key && item.key.range) {
                const pos = lines.linePos(item.key.range[0]);
                return { line: pos.line, column: pos.col };
              }
            }
          }
        }
        continue;
      }
      if (isNode(node) && node.range) {
        const pos = lines.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return undefined;
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
