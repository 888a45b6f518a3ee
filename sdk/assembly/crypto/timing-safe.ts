// Comparisons whose time does not depend on where the inputs differ (for secrets: MACs, key hashes).

/**
 * True when `a` and `b` hold the same bytes. Takes the same time wherever they differ (only the
 * lengths, which are not secret, can end it early).
 *
 * @example
 * if (!timingSafeEqual(expectedTag, presentedTag)) return deny();
 */
export function timingSafeEqual(a: ArrayBuffer, b: ArrayBuffer): bool {
  const n = a.byteLength;
  if (n != b.byteLength) return false;
  const pa = changetype<usize>(a);
  const pb = changetype<usize>(b);
  let diff: u32 = 0;
  for (let i = 0; i < n; i++) diff |= <u32>(load<u8>(pa + <usize>i) ^ load<u8>(pb + <usize>i));
  return diff == 0;
}
