// Schema types for values users write as text: durations ("250ms", "5s"), byte sizes ("64KiB") and addresses.
import { Type, type StaticDecode } from '@sinclair/typebox';

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds from "250ms" | "1.5s" | "2m" | "1h" | a number of milliseconds; undefined if malformed. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? (value > 0 ? Math.max(1, Math.round(value)) : 0) : undefined;
  const m = DURATION_RE.exec(value.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * DURATION_UNITS[m[2]!]!;
  // Whole milliseconds; a non-zero duration never rounds down to 0 (which means "disabled").
  return ms > 0 ? Math.max(1, Math.round(ms)) : 0;
}

/** The longest duration Weft accepts: Node.js timers fire at once beyond 2^31-1 ms (about 24.8 days). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** A duration: a string such as "250ms", "5s", "2m", "1h", or a number of milliseconds. Decodes to ms. */
export const Duration = (description: string, defaultValue?: string | number) =>
  Type.Transform(
    Type.Union([Type.String({ pattern: DURATION_RE.source }), Type.Number({ minimum: 0 })], {
      description: `${description} A duration: "250ms", "5s", "2m", "1h", or milliseconds as a number; 0 disables.`,
      'x-unit': 'duration',
      'x-summary': description,
      'x-expect': 'a duration such as "250ms", "5s", "2m", "1h", or milliseconds as a number',
      ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    }),
  )
    .Decode((v) => parseDuration(v) ?? 0)
    .Encode((ms) => `${ms}ms`);

const SIZE_RE = /^(\d+)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/;
const SIZE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1000, MB: 1000 ** 2, GB: 1000 ** 3 };

/** Bytes from "64KiB" | "1MiB" | "512" | a number; undefined if malformed. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const m = SIZE_RE.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * SIZE_UNITS[m[2] ?? 'B']!;
}

/** A size in bytes: a number, or a string such as "64KiB", "1MiB", "2GiB". Decodes to bytes. */
export const ByteSize = (description: string, defaultValue?: string | number) =>
  Type.Transform(
    Type.Union([Type.String({ pattern: SIZE_RE.source }), Type.Integer({ minimum: 0 })], {
      description: `${description} Bytes as a number, or "64KiB", "1MiB", "1GiB".`,
      'x-unit': 'size',
      'x-summary': description,
      'x-expect': 'a size in bytes such as 65536, "64KiB", "1MiB" or "1GiB"',
      ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    }),
  )
    .Decode((v) => parseSize(v) ?? 0)
    .Encode((n) => n);

const ADDRESS_RE = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.\-_]+|\*)):(\d{1,5})$/;

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** { host, port } from "127.0.0.1:8080" | "[::1]:8080" | "example.internal:80" | "*:8080"; undefined if malformed. */
export function parseAddress(value: string): HostPort | undefined {
  const m = ADDRESS_RE.exec(value.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? (m[2] === '*' ? '0.0.0.0' : m[2]!);
  return { host, port };
}

export function formatAddress(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** "host:port" (IPv6 in brackets). Decodes to { host, port }; port 0 asks the OS for a free port. */
export const Address = (description: string, defaultValue?: string) =>
  Type.Transform(
    Type.String({
      pattern: ADDRESS_RE.source,
      description: `${description} "host:port"; IPv6 in brackets ("[::1]:8080").`,
      'x-unit': 'address',
      'x-summary': description,
      'x-expect': 'an address "host:port" (IPv6 in brackets: "[::1]:8080")',
      ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    }),
  )
    .Decode((v): HostPort => parseAddress(v) ?? { host: '', port: -1 })
    .Encode((a) => formatAddress(a));

export type DurationMs = StaticDecode<ReturnType<typeof Duration>>;
