// Claims as request header values: strings as they are, numbers and booleans as JSON, lists joined with commas.
import { JsonKind, JsonObject, JsonValue } from "@weft/sdk/assembly";

/** The claim at a dot path (`realm_access.roles`), or null. */
export function claimAt(claims: JsonObject, path: Array<string>): JsonValue | null {
  let v: JsonValue | null = claims;
  for (let i = 0; i < path.length && v !== null; i++) {
    const o: JsonObject | null = v.asObject();
    v = o === null ? null : o.get(unchecked(path[i]));
  }
  return v;
}

/** True when `s` may be a header value: no control characters (CR and LF would split the header). */
function safe(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c != 0x09) || c == 0x7f) return false;
  }
  return true;
}

/** A claim as a header value, or null when it has none or would not be safe in a header. */
export function headerValue(v: JsonValue): string | null {
  let s: string;
  if (v.kind == JsonKind.String) {
    s = v.asString();
  } else if (v.kind == JsonKind.Array) {
    const a = v.asArray()!;
    const parts = new Array<string>();
    for (let i = 0; i < a.length; i++) {
      const item = a.at(i)!;
      parts.push(item.kind == JsonKind.String ? item.asString() : item.toString());
    }
    s = parts.join(",");
  } else if (v.kind == JsonKind.Null) {
    return null;
  } else {
    s = v.toString();
  }
  return safe(s) ? s : null;
}
