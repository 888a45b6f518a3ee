// Query string parsing for route matching: names and values decoded (percent-encoding, "+" as space).

/**
 * Decoded parameters of a query string (the text after "?", without it), in order, as a flat
 * `[name0, value0, name1, value1, …]` list. A parameter without "=" has the value "".
 * Empty pieces (`a=1&&b=2`) are skipped. Never throws.
 */
export function parseQuery(query: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    if (end > start) {
      const eq = query.indexOf('=', start);
      if (eq >= 0 && eq < end) out.push(decodeQueryComponent(query.slice(start, eq)), decodeQueryComponent(query.slice(eq + 1, end)));
      else out.push(decodeQueryComponent(query.slice(start, end)), '');
    }
    start = end + 1;
  }
  return out;
}

/** The first value of parameter `name` in a list from `parseQuery`, or undefined. */
export function firstQueryValue(params: readonly string[], name: string): string | undefined {
  for (let i = 0; i < params.length; i += 2) if (params[i] === name) return params[i + 1];
  return undefined;
}

/**
 * Decodes one query component: "+" is a space, "%XX" a byte; the bytes are read as UTF-8
 * (invalid sequences become U+FFFD). A "%" not followed by two hex digits stays as it is.
 * The input is a header value, so a character below 256 stands for one byte of the request
 * line (raw UTF-8 arrives as latin1); characters above that are encoded as UTF-8.
 */
export function decodeQueryComponent(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */ || c === 43 /* + */ || c > 127) {
      plain = false;
      break;
    }
  }
  if (plain) return s;

  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 43) {
      bytes.push(32);
    } else if (c === 37 && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      bytes.push((hexValue(s.charCodeAt(i + 1)) << 4) | hexValue(s.charCodeAt(i + 2)));
      i += 2;
    } else if (c < 256) {
      bytes.push(c);
    } else {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}
