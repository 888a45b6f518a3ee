// Field tables of docs/config-reference.md, generated from the schema's descriptions between hand-written prose.
import type { TSchema } from '@sinclair/typebox';
import { SnapshotSchema } from './schema.js';

type Json = Record<string, unknown>;

/** One mapping of weft.yaml: its path as users read it ("listeners[].http", "" for the top level). */
export interface Section {
  readonly path: string;
  readonly schema: Json;
}

/** Every mapping with named fields, parents before children, in schema order. */
export function sections(schema: TSchema = SnapshotSchema): Section[] {
  const out: Section[] = [];
  const walk = (node: Json, path: string) => {
    if (node.type === 'object' && node.properties) {
      out.push({ path, schema: node });
      for (const [key, sub] of Object.entries(node.properties as Record<string, Json>)) walk(sub, path ? `${path}.${key}` : key);
    } else if (node.type === 'array' && node.items) {
      walk(node.items as Json, `${path}[]`);
    }
  };
  walk(JSON.parse(JSON.stringify(schema)) as Json, '');
  return out;
}

const BEGIN = /<!-- fields: ([^>]*?) -->\n[\s\S]*?<!-- \/fields -->/g;

export interface RenderedReference {
  readonly text: string;
  /** Sections of the schema with no `<!-- fields: … -->` block in the document. */
  readonly missing: string[];
  /** Blocks naming a section the schema does not have. */
  readonly unknown: string[];
}

/**
 * Replaces the body of every `<!-- fields: PATH -->` … `<!-- /fields -->` block of `doc` with
 * the field table of PATH ("(top level)" for the root). The rest of the document is kept as is.
 */
export function renderReference(doc: string, schema: TSchema = SnapshotSchema): RenderedReference {
  const byPath = new Map(sections(schema).map((s) => [s.path === '' ? '(top level)' : s.path, s]));
  const seen = new Set<string>();
  const unknown: string[] = [];
  const text = doc.replace(BEGIN, (whole, path: string) => {
    const section = byPath.get(path);
    if (!section) {
      unknown.push(path);
      return whole;
    }
    seen.add(path);
    return `<!-- fields: ${path} -->\n${fieldTable(section)}<!-- /fields -->`;
  });
  const missing = [...byPath.keys()].filter((p) => !seen.has(p));
  return { text, missing, unknown };
}

/** A Markdown table: field, type, default, description. */
export function fieldTable(section: Section): string {
  const props = section.schema.properties as Record<string, Json>;
  const required = new Set((section.schema.required as string[] | undefined) ?? []);
  const rows = ['| Field | Type | Default | Description |', '| --- | --- | --- | --- |'];
  for (const [key, sub] of Object.entries(props)) {
    const def = 'default' in sub ? `\`${JSON.stringify(sub.default)}\`` : required.has(key) ? '**required**' : '—';
    const childPath = section.path ? `${section.path}.${key}` : key;
    const description = typeof sub['x-summary'] === 'string' ? sub['x-summary'] : String(sub.description ?? '');
    rows.push(`| \`${key}\` | ${cell(typeName(sub, childPath))} | ${cell(def)} | ${cell(description)} |`);
  }
  return `${rows.join('\n')}\n`;
}

/** Route fields live deep: "route_tables[].virtual_hosts[].routes[].match" reads as "…routes[].match", as in the headings. */
export function shortPath(path: string): string {
  return path.replace(/^route_tables\[\]\.virtual_hosts\[\]\.routes\[\]/, '…routes[]');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** How a field's type reads in the table. `path` names the section of a nested mapping. */
export function typeName(node: Json, path: string): string {
  switch (node['x-unit']) {
    case 'duration':
      return 'duration';
    case 'size':
      return 'size';
    case 'address':
      return 'address';
  }
  if (Array.isArray(node.anyOf)) {
    const branches = node.anyOf as Json[];
    if (branches.every((b) => 'const' in b)) return branches.map((b) => `\`${JSON.stringify(b.const)}\``).join(' | ');
    return branches.map((b) => typeName(b, path)).join(' or ');
  }
  if ('const' in node) return `\`${JSON.stringify(node.const)}\``;
  switch (node.type) {
    case 'string':
      if (typeof node['x-expect'] === 'string' && /^a name\b/.test(node['x-expect'])) return 'name';
      if (node.pattern === '^/') return 'path';
      return 'string';
    case 'integer':
    case 'number': {
      const range = node.minimum !== undefined && node.maximum !== undefined ? ` (${String(node.minimum)}–${String(node.maximum)})` : node.minimum !== undefined ? ` (≥ ${String(node.minimum)})` : '';
      return `${node.type}${range}`;
    }
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = typeName(node.items as Json, `${path}[]`);
      return `${(node.minItems as number | undefined) ? 'non-empty ' : ''}list of ${item.replace(/^mapping\b/, 'mappings')}`;
    }
    case 'object':
      if (node.properties) return `mapping, see \`${shortPath(path)}\``;
      if (node.patternProperties) return 'mapping of string to string';
      return 'mapping';
    default:
      return 'any';
  }
}
