// JSON field redaction by path: `a.b`, `items[*].card`, `items[0]`, `*` (any key), `**` (any depth), `["key.with.dots"]`.
import { JsonArray, JsonKind, JsonObject, JsonString, JsonValue } from "@weft/sdk/assembly";
import { maskCard, maskDetected, maskEmail } from "./mask";

export enum SegmentKind {
  Key,
  Index,
  Any,
  AnyDepth,
}

export class Segment {
  constructor(readonly kind: SegmentKind, readonly key: string = "", readonly index: i32 = 0) {}
}

export enum MaskMode {
  Full,
  Card,
  Email,
  Detect,
}

export class RedactRule {
  constructor(readonly path: Array<Segment>, readonly mode: MaskMode, readonly replacement: string) {}
}

/** Parses a path, or returns null when it is malformed. A leading `$` or `$.` is allowed. */
export function parsePath(text: string): Array<Segment> | null {
  const out = new Array<Segment>();
  let i = 0;
  const n = text.length;
  if (text.startsWith("$")) i = 1;
  let expectKey = i == 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c == 0x2e) {
      // '.'
      if (expectKey) return null;
      expectKey = true;
      i++;
      continue;
    }
    if (c == 0x5b) {
      // '[' index, '*' or quoted key
      const close = text.indexOf("]", i);
      if (close < 0) return null;
      const inner = text.substring(i + 1, close);
      if (inner == "*") out.push(new Segment(SegmentKind.Any));
      else if (inner.length >= 2 && inner.startsWith("\"") && inner.endsWith("\"")) out.push(new Segment(SegmentKind.Key, inner.substring(1, inner.length - 1)));
      else {
        if (inner.length == 0 || inner.length > 9) return null;
        let v = 0;
        for (let k = 0; k < inner.length; k++) {
          const d = inner.charCodeAt(k) - 0x30;
          if (d < 0 || d > 9) return null;
          v = v * 10 + d;
        }
        out.push(new Segment(SegmentKind.Index, "", v));
      }
      i = close + 1;
      expectKey = false;
      continue;
    }
    if (!expectKey) return null;
    let j = i;
    while (j < n && text.charCodeAt(j) != 0x2e && text.charCodeAt(j) != 0x5b) j++;
    const name = text.substring(i, j);
    if (name == "*") out.push(new Segment(SegmentKind.Any));
    else if (name == "**") out.push(new Segment(SegmentKind.AnyDepth));
    else out.push(new Segment(SegmentKind.Key, name));
    expectKey = false;
    i = j;
  }
  return out.length == 0 || expectKey ? null : out;
}

/** The replacement for `v`, or null to leave it. Objects and arrays are only replaced whole by `full`. */
function masked(v: JsonValue, rule: RedactRule): JsonValue | null {
  if (rule.mode == MaskMode.Full) return new JsonString(rule.replacement);
  let s: string;
  if (v.kind == JsonKind.String) s = v.asString();
  else if (v.kind == JsonKind.Number && rule.mode == MaskMode.Card) s = v.toString();
  else return null;
  if (rule.mode == MaskMode.Card) return new JsonString(maskCard(s));
  if (rule.mode == MaskMode.Email) return new JsonString(maskEmail(s));
  const d = maskDetected(s);
  return d == s ? null : new JsonString(d);
}

/** Applies `rule` at path position `i` below `v`; returns how many values were masked. */
function apply(v: JsonValue, rule: RedactRule, i: i32): i32 {
  const path = rule.path;
  const seg = unchecked(path[i]);
  const last = i == path.length - 1;
  let count = 0;
  if (seg.kind == SegmentKind.AnyDepth) {
    // `**` matches here (zero levels) and at every level below.
    if (last) return maskAll(v, rule);
    count += apply(v, rule, i + 1);
    const o = v.asObject();
    if (o !== null) for (let k = 0; k < o.keys.length; k++) count += apply(o.get(unchecked(o.keys[k]))!, rule, i);
    const a = v.asArray();
    if (a !== null) for (let k = 0; k < a.length; k++) count += apply(unchecked(a.items[k]), rule, i);
    return count;
  }
  const o = v.asObject();
  if (o !== null) {
    if (seg.kind == SegmentKind.Index) return 0;
    for (let k = 0; k < o.keys.length; k++) {
      const key = unchecked(o.keys[k]);
      if (seg.kind == SegmentKind.Key && key != seg.key) continue;
      const child = o.get(key)!;
      if (last) {
        const m = masked(child, rule);
        if (m !== null) {
          o.set(key, m);
          count++;
        }
      } else {
        count += apply(child, rule, i + 1);
      }
    }
    return count;
  }
  const a = v.asArray();
  if (a !== null) {
    if (seg.kind == SegmentKind.Key) return 0;
    for (let k = 0; k < a.length; k++) {
      if (seg.kind == SegmentKind.Index && k != seg.index) continue;
      const child = unchecked(a.items[k]);
      if (last) {
        const m = masked(child, rule);
        if (m !== null) {
          unchecked((a.items[k] = m));
          count++;
        }
      } else {
        count += apply(child, rule, i + 1);
      }
    }
  }
  return count;
}

/** Masks every leaf string (and, for cards, number) below `v`. */
function maskAll(v: JsonValue, rule: RedactRule): i32 {
  let count = 0;
  const o = v.asObject();
  if (o !== null) {
    for (let k = 0; k < o.keys.length; k++) {
      const key = unchecked(o.keys[k]);
      const child = o.get(key)!;
      if (child.kind == JsonKind.Object || child.kind == JsonKind.Array) {
        count += maskAll(child, rule);
      } else {
        const m = masked(child, rule);
        if (m !== null) {
          o.set(key, m);
          count++;
        }
      }
    }
    return count;
  }
  const a = v.asArray();
  if (a !== null) {
    for (let k = 0; k < a.length; k++) {
      const child = unchecked(a.items[k]);
      if (child.kind == JsonKind.Object || child.kind == JsonKind.Array) {
        count += maskAll(child, rule);
      } else {
        const m = masked(child, rule);
        if (m !== null) {
          unchecked((a.items[k] = m));
          count++;
        }
      }
    }
  }
  return count;
}

/** Applies every rule to the document; returns how many values were masked. */
export function redact(doc: JsonValue, rules: Array<RedactRule>): i32 {
  let count = 0;
  for (let i = 0; i < rules.length; i++) count += apply(doc, unchecked(rules[i]), 0);
  return count;
}
