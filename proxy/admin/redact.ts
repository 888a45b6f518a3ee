// The Snapshot as /config_dump shows it: in the file's own notation, with private keys and secret values redacted.
import { createHash } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { SnapshotSchema, type Snapshot } from '../../api/snapshot/index.js';

/** `[redacted sha256:1a2b3c4d]`: hides the value but tells a changed key from an unchanged one. */
export function redacted(value: string): string {
  return `[redacted sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}]`;
}

/**
 * A JSON-ready copy of `snapshot` with every private key and every value a plugin is given through
 * `environment.set` replaced by `redacted(...)`. Certificates and CA bundles are public and kept.
 * Durations, sizes and addresses are shown as a config file writes them ("15000ms", "127.0.0.1:80").
 */
export function redactSnapshot(snapshot: Snapshot): unknown {
  const copy = structuredClone(snapshot) as unknown as {
    secrets: { private_key?: string }[];
    plugins: { environment?: { set?: Record<string, string> } }[];
  };
  for (const s of copy.secrets) if (s.private_key !== undefined) s.private_key = redacted(s.private_key);
  for (const p of copy.plugins) {
    const set = p.environment?.set;
    if (set) for (const k of Object.keys(set)) set[k] = redacted(set[k]!);
  }
  try {
    return Value.Encode(SnapshotSchema, copy);
  } catch {
    // A Snapshot that does not encode (it should) is still shown, in decoded form.
    return copy;
  }
}
