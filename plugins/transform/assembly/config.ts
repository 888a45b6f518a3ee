// The transform configuration: header rules, path rewrite, JSON redaction and text replacement per direction.
import { HeaderPair, JsonKind, JsonObject, LogLevel, log } from "@weft/sdk/assembly";
import { MaskMode, RedactRule, parsePath } from "./redact";

export class HeaderRules {
  removes: Array<string> = [];
  /** [from, to] pairs. */
  renames: Array<HeaderPair> = [];
  sets: Array<HeaderPair> = [];
  adds: Array<HeaderPair> = [];
  get empty(): bool {
    return this.removes.length + this.renames.length + this.sets.length + this.adds.length == 0;
  }
}

export class Replacement {
  constructor(readonly find: string, readonly replace: string) {}
}

export class SideConfig {
  headers: HeaderRules = new HeaderRules();
  redact: Array<RedactRule> = [];
  replace: Array<Replacement> = [];
  get transformsBody(): bool {
    return this.redact.length > 0 || this.replace.length > 0;
  }
}

export class TransformConfig {
  request: SideConfig = new SideConfig();
  response: SideConfig = new SideConfig();
  pathPrefix: string = "";
  pathReplacement: string = "";
  maxBodyBytes: i32 = 262144;
}

let problem = "";

function bad(message: string): bool {
  problem = message;
  return false;
}

function headerName(s: string): string {
  if (s.length == 0) return "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f || c == 0x2e;
    if (!ok) return "";
  }
  return s.toLowerCase();
}

function headerValueOk(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c != 0x09) || c == 0x7f) return false;
  }
  return true;
}

function pairs(o: JsonObject | null, into: Array<HeaderPair>, at: string, valuesAreNames: bool): bool {
  if (o === null) return true;
  for (let i = 0; i < o.keys.length; i++) {
    const k = unchecked(o.keys[i]);
    const name = headerName(k);
    const v = o.get(k)!;
    if (name == "" || v.kind != JsonKind.String) return bad(at + " maps header names to strings");
    const value = valuesAreNames ? headerName(v.asString()) : v.asString();
    if (valuesAreNames ? value == "" : !headerValueOk(value)) return bad(at + "." + k + " is not a valid header " + (valuesAreNames ? "name" : "value"));
    into.push(new HeaderPair(name, value));
  }
  return true;
}

function parseHeaders(o: JsonObject | null, into: HeaderRules, at: string): bool {
  if (o === null) return true;
  const remove = o.getArray("remove");
  if (remove !== null) {
    for (let i = 0; i < remove.length; i++) {
      const name = headerName(remove.at(i)!.asString(""));
      if (name == "") return bad(at + ".remove lists header names");
      into.removes.push(name);
    }
  }
  return pairs(o.getObject("rename"), into.renames, at + ".rename", true) && pairs(o.getObject("set"), into.sets, at + ".set", false) && pairs(o.getObject("add"), into.adds, at + ".add", false);
}

function parseSide(o: JsonObject | null, into: SideConfig, at: string, allowReplace: bool): bool {
  if (o === null) return true;
  if (!parseHeaders(o.getObject("headers"), into.headers, at + ".headers")) return false;
  const redact = o.getArray("json_redact");
  if (redact !== null) {
    for (let i = 0; i < redact.length; i++) {
      const r = redact.at(i)!.asObject();
      const where = at + ".json_redact[" + i.toString() + "]";
      if (r === null) return bad(where + " must be an object");
      const path = parsePath(r.getString("path"));
      if (path === null) return bad(where + ".path is not a valid path (a.b, items[*].card, **.email)");
      const m = r.getString("mode", "full");
      let mode = MaskMode.Full;
      if (m == "card") mode = MaskMode.Card;
      else if (m == "email") mode = MaskMode.Email;
      else if (m == "detect") mode = MaskMode.Detect;
      else if (m != "full") return bad(where + ".mode must be full, card, email or detect");
      into.redact.push(new RedactRule(path, mode, r.getString("with", "[REDACTED]")));
    }
  }
  const replace = o.getArray("text_replace");
  if (replace !== null) {
    if (!allowReplace) return bad(at + ".text_replace is for responses only");
    for (let i = 0; i < replace.length; i++) {
      const r = replace.at(i)!.asObject();
      const where = at + ".text_replace[" + i.toString() + "]";
      if (r === null || r.getString("find") == "") return bad(where + " needs a non-empty find");
      into.replace.push(new Replacement(r.getString("find"), r.getString("replace")));
    }
  }
  return true;
}

/** Parses the configuration; logs what is wrong and returns null when it is unusable. */
export function parseConfig(o: JsonObject): TransformConfig | null {
  const c = new TransformConfig();
  problem = "";
  let ok = parseSide(o.getObject("request"), c.request, "request", false) && parseSide(o.getObject("response"), c.response, "response", true);
  const req = o.getObject("request");
  const path: JsonObject | null = req === null ? null : req.getObject("path");
  if (ok && path !== null) {
    c.pathPrefix = path.getString("prefix");
    c.pathReplacement = path.getString("replacement");
    if (!c.pathPrefix.startsWith("/") || !c.pathReplacement.startsWith("/")) ok = bad("request.path needs prefix and replacement, both starting with /");
  }
  const max = o.getInteger("max_body_bytes", 262144);
  if (ok && (max < 1 || max > 16777216)) ok = bad("max_body_bytes must be within 1..16777216");
  c.maxBodyBytes = <i32>max;
  if (!ok) {
    log(LogLevel.Error, "transform: " + problem);
    return null;
  }
  return c;
}
