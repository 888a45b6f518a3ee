// Masks for data-loss prevention: card numbers (keep the last four digits), emails (keep the first
// letter and the domain), whole values, and a detector that finds both inside free text.

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

/** Every digit but the last four replaced by `*` (all of them when there are fewer than 12); separators kept. */
export function maskCard(s: string): string {
  let digits = 0;
  for (let i = 0; i < s.length; i++) if (isDigit(s.charCodeAt(i))) digits++;
  const keep = digits >= 12 ? 4 : 0;
  let seen = 0;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      seen++;
      out += seen > digits - keep ? String.fromCharCode(c) : "*";
    } else {
      out += String.fromCharCode(c);
    }
  }
  return out;
}

/** `alice@example.com` -> `a***@example.com`; text without `@` becomes `***`. */
export function maskEmail(s: string): string {
  const at = s.lastIndexOf("@");
  if (at <= 0) return "***";
  return s.charAt(0) + "***" + s.substring(at);
}

/** Luhn checksum over the digits of s[from, to). */
function luhn(s: string, from: i32, to: i32): bool {
  let sum = 0;
  let double = false;
  for (let i = to - 1; i >= from; i--) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) continue;
    let d = c - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 == 0;
}

function isEmailChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isDigit(c) || c == 0x2e || c == 0x5f || c == 0x25 || c == 0x2b || c == 0x2d;
}

/**
 * Masks what looks like a payment card number (13–19 digits, single spaces or dashes between
 * them, passing the Luhn check) or an email address anywhere in `s`.
 */
export function maskDetected(s: string): string {
  let out = "";
  let from = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isDigit(c) && (i == 0 || !isDigit(s.charCodeAt(i - 1)))) {
      // A run of digits with single separators.
      let j = i;
      let digits = 0;
      let end = i;
      while (j < n) {
        const d = s.charCodeAt(j);
        if (isDigit(d)) {
          digits++;
          j++;
          end = j;
        } else if ((d == 0x20 || d == 0x2d) && j + 1 < n && isDigit(s.charCodeAt(j + 1)) && digits > 0) {
          j++;
        } else {
          break;
        }
      }
      if (digits >= 13 && digits <= 19 && luhn(s, i, end)) {
        out += s.substring(from, i) + maskCard(s.substring(i, end));
        from = end;
      }
      i = end;
      continue;
    }
    if (c == 0x40 && i > 0) {
      // local@domain.tld
      let a = i;
      while (a > from && isEmailChar(s.charCodeAt(a - 1))) a--;
      let b = i + 1;
      let dot = false;
      while (b < n && isEmailChar(s.charCodeAt(b))) {
        if (s.charCodeAt(b) == 0x2e && b > i + 1) dot = true;
        b++;
      }
      while (b > i + 1 && s.charCodeAt(b - 1) == 0x2e) b--;
      if (a < i && dot) {
        out += s.substring(from, a) + maskEmail(s.substring(a, b));
        from = b;
        i = b;
        continue;
      }
    }
    i++;
  }
  return from == 0 ? s : out + s.substring(from);
}
