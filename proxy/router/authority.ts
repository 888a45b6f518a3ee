// Host and port of an :authority / Host value, normalized the way virtual host matching compares them.

/**
 * The host part of `authority`, lowercased, without the port and without one trailing dot:
 * `"API.Example.com.:8080"` -> `"api.example.com"`, `"[::1]:443"` -> `"[::1]"`.
 * A value with several colons and no brackets (a bare IPv6 address) is kept whole.
 */
export function normalizeHost(authority: string): string {
  let end = hostEnd(authority);
  if (end > 0 && authority.charCodeAt(end - 1) === 46 /* . */) end--;
  const host = end === authority.length ? authority : authority.slice(0, end);
  return host.toLowerCase();
}

/** The host part of `authority` as written (case and trailing dot kept), without the port. */
export function hostPart(authority: string): string {
  const end = hostEnd(authority);
  return end === authority.length ? authority : authority.slice(0, end);
}

/** The port written in `authority` ("" when there is none). */
export function portOf(authority: string): string {
  const end = hostEnd(authority);
  return end < authority.length ? authority.slice(end + 1) : '';
}

/** Index where the host part of `authority` ends (the port's colon, or the length). */
function hostEnd(authority: string): number {
  if (authority.charCodeAt(0) === 91 /* [ */) {
    const close = authority.indexOf(']');
    if (close < 0) return authority.length;
    return authority.charCodeAt(close + 1) === 58 /* : */ ? close + 1 : authority.length;
  }
  // indexOf twice: String.prototype.lastIndexOf is several times slower in V8.
  const colon = authority.indexOf(':');
  if (colon < 0 || authority.indexOf(':', colon + 1) >= 0) return authority.length;
  return colon;
}
