// JSON values: the tree the JSON reader produces, with typed accessors, and its serializer.

export enum JsonKind {
  Null = 0,
  Bool = 1,
  Number = 2,
  String = 3,
  Array = 4,
  Object = 5,
}

/**
 * A parsed JSON value. Test `kind` (or use the `as…` helpers, which take a fallback) and read it.
 *
 * @example
 * const v = result.object().get("timeout_ms");
 * const timeout = v === null ? 500 : v.asInteger(500);
 */
export class JsonValue {
  constructor(readonly kind: JsonKind) {}

  get isNull(): bool {
    return this.kind == JsonKind.Null;
  }
  /** The boolean, or `fallback` when this is not a boolean. */
  asBool(fallback: bool = false): bool {
    return this.kind == JsonKind.Bool ? changetype<JsonBool>(this).value : fallback;
  }
  /** The number, or `fallback` when this is not a number. */
  asNumber(fallback: f64 = 0): f64 {
    return this.kind == JsonKind.Number ? changetype<JsonNumber>(this).value : fallback;
  }
  /** The integer, or `fallback` when this is not a number that is an integer within i64. */
  asInteger(fallback: i64 = 0): i64 {
    if (this.kind != JsonKind.Number) return fallback;
    const n = changetype<JsonNumber>(this);
    return n.isInteger ? n.integer : fallback;
  }
  /** The string, or `fallback` when this is not a string. */
  asString(fallback: string = ""): string {
    return this.kind == JsonKind.String ? changetype<JsonString>(this).value : fallback;
  }
  /** This array, or null. */
  asArray(): JsonArray | null {
    return this.kind == JsonKind.Array ? changetype<JsonArray>(this) : null;
  }
  /** This object, or null. */
  asObject(): JsonObject | null {
    return this.kind == JsonKind.Object ? changetype<JsonObject>(this) : null;
  }
  /** Serializes this value as compact JSON. */
  toString(): string {
    const out = new Array<string>();
    write(this, out);
    return out.join("");
  }
}

export class JsonNull extends JsonValue {
  constructor() {
    super(JsonKind.Null);
  }
}

export class JsonBool extends JsonValue {
  constructor(readonly value: bool) {
    super(JsonKind.Bool);
  }
}

export class JsonNumber extends JsonValue {
  /** True when the literal had no fraction or exponent and fits in i64; `integer` is then exact. */
  isInteger: bool = false;
  integer: i64 = 0;
  constructor(readonly value: f64) {
    super(JsonKind.Number);
  }
}

export class JsonString extends JsonValue {
  constructor(readonly value: string) {
    super(JsonKind.String);
  }
}

export class JsonArray extends JsonValue {
  readonly items: Array<JsonValue> = [];
  constructor() {
    super(JsonKind.Array);
  }
  get length(): i32 {
    return this.items.length;
  }
  /** Element `index`, or null when out of range. */
  at(index: i32): JsonValue | null {
    return index >= 0 && index < this.items.length ? unchecked(this.items[index]) : null;
  }
}

/**
 * A JSON object; keys keep their first-seen order, a repeated key keeps its last value.
 *
 * @example
 * const cfg = root.pluginConfigurationJson().object();
 * const name = cfg.getString("header", "x-hello");
 * const limit = cfg.getInteger("limit", 100);
 * const paths = cfg.getArray("paths");
 */
export class JsonObject extends JsonValue {
  readonly keys: Array<string> = [];
  private readonly map: Map<string, JsonValue> = new Map();
  constructor() {
    super(JsonKind.Object);
  }
  get size(): i32 {
    return this.keys.length;
  }
  has(key: string): bool {
    return this.map.has(key);
  }
  /** The value of `key`, or null when absent. */
  get(key: string): JsonValue | null {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  set(key: string, value: JsonValue): void {
    if (!this.map.has(key)) this.keys.push(key);
    this.map.set(key, value);
  }
  getString(key: string, fallback: string = ""): string {
    const v = this.get(key);
    return v === null ? fallback : v.asString(fallback);
  }
  getNumber(key: string, fallback: f64 = 0): f64 {
    const v = this.get(key);
    return v === null ? fallback : v.asNumber(fallback);
  }
  getInteger(key: string, fallback: i64 = 0): i64 {
    const v = this.get(key);
    return v === null ? fallback : v.asInteger(fallback);
  }
  getBool(key: string, fallback: bool = false): bool {
    const v = this.get(key);
    return v === null ? fallback : v.asBool(fallback);
  }
  getArray(key: string): JsonArray | null {
    const v = this.get(key);
    return v === null ? null : v.asArray();
  }
  getObject(key: string): JsonObject | null {
    const v = this.get(key);
    return v === null ? null : v.asObject();
  }
}

// ---- Writer

const HEX = "0123456789abcdef";

function writeString(s: string, out: Array<string>): void {
  out.push("\"");
  let from = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c == 0x22) esc = "\\\"";
    else if (c == 0x5c) esc = "\\\\";
    else if (c == 0x0a) esc = "\\n";
    else if (c == 0x0d) esc = "\\r";
    else if (c == 0x09) esc = "\\t";
    else if (c == 0x08) esc = "\\b";
    else if (c == 0x0c) esc = "\\f";
    else if (c < 0x20) esc = "\\u00" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
    else if (c >= 0xd800 && c <= 0xdfff) {
      const pair = c <= 0xdbff && i + 1 < n && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (pair) {
        i++;
        continue;
      }
      esc = "\\u" + HEX.charAt(c >> 12) + HEX.charAt((c >> 8) & 15) + HEX.charAt((c >> 4) & 15) + HEX.charAt(c & 15);
    }
    if (esc !== null) {
      if (i > from) out.push(s.substring(from, i));
      out.push(esc);
      from = i + 1;
    }
  }
  if (n > from) out.push(s.substring(from, n));
  out.push("\"");
}

function write(v: JsonValue, out: Array<string>): void {
  switch (v.kind) {
    case JsonKind.Null:
      out.push("null");
      break;
    case JsonKind.Bool:
      out.push(changetype<JsonBool>(v).value ? "true" : "false");
      break;
    case JsonKind.Number: {
      const n = changetype<JsonNumber>(v);
      if (n.isInteger) out.push(n.integer.toString());
      else if (isFinite(n.value)) out.push(n.value.toString());
      else out.push("null");
      break;
    }
    case JsonKind.String:
      writeString(changetype<JsonString>(v).value, out);
      break;
    case JsonKind.Array: {
      const a = changetype<JsonArray>(v);
      out.push("[");
      for (let i = 0; i < a.items.length; i++) {
        if (i > 0) out.push(",");
        write(unchecked(a.items[i]), out);
      }
      out.push("]");
      break;
    }
    default: {
      const o = changetype<JsonObject>(v);
      out.push("{");
      for (let i = 0; i < o.keys.length; i++) {
        if (i > 0) out.push(",");
        const k = unchecked(o.keys[i]);
        writeString(k, out);
        out.push(":");
        const x = o.get(k);
        if (x !== null) write(x, out);
      }
      out.push("}");
    }
  }
}
