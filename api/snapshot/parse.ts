// parseSnapshot: text (YAML or JSON) -> a validated, decoded, frozen Snapshot, or errors naming file, field and line.
import { Value } from '@sinclair/typebox/value';
import { LineCounter, parseDocument, isAlias, isCollection, isMap, isNode, isPair, isScalar, visit, type Document } from 'yaml';
import { SnapshotSchema, type Snapshot } from './schema.js';
import { checkSemantics } from './semantics.js';
import { applyDefaults } from './defaults.js';
import { toPlainData } from './plain-data.js';
import { checkUnitLimits } from './unit-limits.js';
import { collectSchemaErrors } from './schema-errors.js';
import { formatPath, type ConfigError } from './errors.js';
import { type Result, ok, err } from '../../lib/errors.js';

export interface ParseOptions {
  /** Name used in error messages (default "config"). */
  file?: string;
}

/** Prefix of the one error reported when validation itself fails (a bug): tests look for it. */
export const INTERNAL_ERROR = 'internal error while reading the config';

/** Parses and validates a Snapshot document. Never throws, whatever the input. */
export function parseSnapshot(text: string, options: ParseOptions = {}): Result<Snapshot, ConfigError[]> {
  const file = options.file ?? 'config';
  try {
    return parseText(text, file);
  } catch (e) {
    return err([{ file, path: '', message: `${INTERNAL_ERROR}: ${(e as Error)?.message ?? String(e)}` }]);
  }
}

export interface ValidateOptions {
  file?: string;
  /** Maps a field path to its line and column, when the source text is known. */
  locate?: (segments: readonly (string | number)[]) => { line: number; column: number } | undefined;
}

/** Validates an already-parsed value (e.g. from the control plane) the same way as `parseSnapshot`. Never throws. */
export function validateSnapshot(raw: unknown, options: ValidateOptions = {}): Result<Snapshot, ConfigError[]> {
  const file = options.file ?? 'config';
  try {
    return validate(raw, file, options.locate ?? (() => undefined));
  } catch (e) {
    return err([{ file, path: '', message: `${INTERNAL_ERROR}: ${(e as Error)?.message ?? String(e)}` }]);
  }
}

type Locate = NonNullable<ValidateOptions['locate']>;

function parseText(text: string, file: string): Result<Snapshot, ConfigError[]> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    // Plain data only: no !!binary, !!timestamp, !!set… values; `<<` merge keys are allowed.
    resolveKnownTags: false,
    merge: true,
  });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const syntax: ConfigError[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    syntax.push({ file, path: '', message: yamlMessage(e.code, e.message, text.slice(e.pos[0])), ...at(e.pos[0]) });
  }
  if (syntax.length === 0) {
    visit(doc, {
      Pair(_, pair) {
        if ((isCollection(pair.key) || isAlias(pair.key)) && isNode(pair.key) && pair.key.range) {
          syntax.push({ file, path: '', message: 'a key must be a plain string, not a list, mapping or alias', ...at(pair.key.range[0]) });
        }
      },
      Alias(_, alias) {
        if (alias.resolve(doc) === undefined && alias.range) {
          syntax.push({ file, path: '', message: `alias *${alias.source} has no anchor &${alias.source} before it`, ...at(alias.range[0]) });
        }
      },
    });
  }
  if (syntax.length > 0) return err(syntax);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (e) {
    return err([{ file, path: '', message: `cannot expand the document: ${(e as Error).message}` }]);
  }
  return validate(raw, file, locator(doc, lineCounter));
}

/** A YAML library message in the words of a config file; `rest` is the text from the error on. */
function yamlMessage(code: string, message: string, rest: string): string {
  switch (code) {
    case 'MULTIPLE_DOCS':
      return 'the file holds several YAML documents (separated by "---"); a config is exactly one';
    case 'DUPLICATE_KEY': {
      const key = /^(?:"[^"\n]*"|'[^'\n]*'|[^:\n]*)/.exec(rest)![0].trim();
      return `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : JSON.stringify(key)} (a key may appear once per mapping)`;
    }
    case 'TAG_RESOLVE_FAILED': {
      const tag = message.replace(/^Unresolved tag:\s*/, '').replace(/^tag:yaml\.org,2002:/, '!!');
      return `unknown tag ${tag} (a config holds plain values: no YAML tags)`;
    }
    default:
      return message.split('\n')[0]!;
  }
}

function validate(raw: unknown, file: string, locate: Locate): Result<Snapshot, ConfigError[]> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return err([{ file, path: '', message: 'the document must be a mapping (an object) at the top level' }]);
  }
  const problems: { path: (string | number)[]; message: string }[] = [];
  const plain = toPlainData(raw, problems);
  if (problems.length > 0) {
    return err(inFileOrder(problems.map((p) => withPosition(file, p.path, p.message, locate))));
  }
  const withDefaults = applyDefaults(SnapshotSchema, plain);
  const schemaErrors = collectSchemaErrors([...Value.Errors(SnapshotSchema, withDefaults)]);
  if (schemaErrors.length > 0) {
    return err(inFileOrder(schemaErrors.map((e) => withPosition(file, e.segments, e.message, locate))));
  }
  const limits = checkUnitLimits(SnapshotSchema, withDefaults);
  if (limits.length > 0) {
    return err(inFileOrder(limits.map((p) => withPosition(file, p.path, p.message, locate))));
  }
  const decoded = Value.Decode(SnapshotSchema, withDefaults) as Snapshot;
  const semantic = checkSemantics(decoded);
  if (semantic.length > 0) {
    return err(inFileOrder(semantic.map((e) => withPosition(file, e.path, e.message, locate))));
  }
  return ok(deepFreeze(decoded));
}

/** Errors sorted by line and column (stable; errors without a position keep their order, last). */
function inFileOrder(errors: ConfigError[]): ConfigError[] {
  const key = (e: ConfigError) => (e.line === undefined ? Infinity : e.line * 1e6 + (e.column ?? 0));
  return errors.map((e, i) => [e, i] as const).sort((a, b) => key(a[0]) - key(b[0]) || a[1] - b[1]).map(([e]) => e);
}

function withPosition(file: string, segments: readonly (string | number)[], message: string, locate: Locate): ConfigError {
  const out: ConfigError = { file, path: formatPath(segments), message };
  const pos = locate(segments);
  return pos ? { ...out, line: pos.line, column: pos.column } : out;
}

function locator(doc: Document, lines: LineCounter): Locate {
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
        // A list or mapping under a key: point at the key ("forward:"), not at its first entry.
        const key = path[path.length - 1];
        if (isCollection(node) && typeof key === 'string') {
          const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
          const keyNode = isMap(parent) ? parent.items.find((it) => isScalar(it.key) && it.key.value === key)?.key : undefined;
          if (isNode(keyNode) && keyNode.range) {
            const pos = lines.linePos(keyNode.range[0]);
            return { line: pos.line, column: pos.col };
          }
        }
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
