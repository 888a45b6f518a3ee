// Listener and endpoint addresses ("host:port", IPv6 in brackets): parsing and formatting, with no schema machinery.

/** The text form of an address: "127.0.0.1:8080", "[::1]:8080", "example.internal:80", "*:8080". */
export const ADDRESS_RE = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.\-_]+|\*)):(\d{1,5})$/;

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
