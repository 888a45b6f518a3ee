// A route's header add/remove list, compiled once: removals first, then additions (Envoy's order).
import type { HeaderMap } from '../http/header-map.js';

export interface HeaderToAdd {
  readonly name: string;
  readonly value: string;
  /** Add another field instead of replacing every existing one. */
  readonly append: boolean;
}

export type HeaderMutation = (headers: HeaderMap) => void;

const NONE: HeaderMutation = () => {};

/** A function applying the removals then the additions; a shared no-op when both lists are empty. */
export function compileHeaderMutation(add: readonly HeaderToAdd[], remove: readonly string[]): HeaderMutation {
  if (add.length === 0 && remove.length === 0) return NONE;
  const removeNames = remove.map((n) => n.toLowerCase());
  const adds = add.map((h) => ({ name: h.name.toLowerCase(), value: h.value, append: h.append }));
  return (headers) => {
    for (const n of removeNames) headers.remove(n);
    for (const h of adds) {
      if (h.append) headers.add(h.name, h.value);
      else headers.set(h.name, h.value);
    }
  };
}
