// The Snapshot schema as a JSON Schema (draft-07) for editors: what a user may write in weft.yaml.
import type { TSchema } from '@sinclair/typebox';
import { SnapshotSchema } from './schema.js';

type Json = Record<string, unknown>;

/**
 * A plain JSON Schema of what users write, not of what the proxy runs on: durations, sizes and
 * addresses in their text form (TypeBox transforms are already their encoded schema), fields
 * with a default not required, TypeBox's own keywords and Weft's `x-` hints dropped, unions of
 * constants as `enum`, and `markdownDescription` beside each description for editors that
 * render Markdown.
 */
export function toJsonSchema(schema: TSchema = SnapshotSchema): Json {
  const plain = JSON.parse(JSON.stringify(schema)) as Json;
  const { $id, title, description, ...rest } = plain;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...($id !== undefined ? { $id } : {}),
    ...(title !== undefined ? { title } : {}),
    ...convert({ ...(description !== undefined ? { description } : {}), ...rest }),
  };
}

/** The committed file's text: stable key order, two-space indent, final newline. */
export function renderJsonSchema(schema: TSchema = SnapshotSchema): string {
  return `${JSON.stringify(toJsonSchema(schema), null, 2)}\n`;
}

function convert(node: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-')) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, Json>).map(([k, v]) => [k, convert(v)]));
    } else if (key === 'patternProperties') {
      out.patternProperties = Object.fromEntries(Object.entries(value as Record<string, Json>).map(([k, v]) => [k, convert(v)]));
    } else if (key === 'items' && value && typeof value === 'object' && !Array.isArray(value)) {
      out.items = convert(value as Json);
    } else if (key === 'anyOf') {
      const branches = (value as Json[]).map(convert);
      if (branches.every((b) => 'const' in b)) {
        const types = [...new Set(branches.map((b) => b.type))];
        if (types.length === 1 && types[0] !== undefined) out.type = types[0];
        out.enum = branches.map((b) => b.const);
      } else {
        out.anyOf = branches;
      }
    } else {
      out[key] = value;
    }
  }
  if (out.required && out.properties) {
    const props = out.properties as Record<string, Json>;
    const required = (out.required as string[]).filter((k) => !('default' in (props[k] ?? {})));
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  if (typeof out.description === 'string') out.markdownDescription = out.description;
  return out;
}
