// Certificate facts Weft exposes (subject, URI/DNS SANs) read from X.509 certificates and TLS sockets.
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { PeerCertificate, TlsInfo } from '../http/stream-info.js';

export interface SubjectAltNames {
  readonly uris: string[];
  readonly dns: string[];
  readonly ips: string[];
}

/**
 * Parses Node's `subjectAltName` text: `DNS:a.example, URI:spiffe://td/ns/x/svc/y, IP Address:10.0.0.1`.
 * Values holding a comma, quote or other special character arrive as JSON strings (`DNS:"a, b"`);
 * they are decoded, so a crafted SAN cannot smuggle a second entry.
 */
export function parseSubjectAltName(text: string | undefined): SubjectAltNames {
  const out: SubjectAltNames = { uris: [], dns: [], ips: [] };
  if (!text) return out;
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text.charCodeAt(colon + 1) === 34 /* " */) {
      // JSON string: find its closing quote (skipping escapes).
      let j = colon + 2;
      while (j < text.length && text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 /* \ */ ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      } catch {
        value = text.slice(colon + 2, j);
      }
      next = text.indexOf(', ', j + 1);
    } else {
      next = text.indexOf(', ', colon + 1);
      value = text.slice(colon + 1, next < 0 ? text.length : next);
    }
    if (type === 'URI') out.uris.push(value);
    else if (type === 'DNS') out.dns.push(value);
    else if (type === 'IP Address') out.ips.push(value);
    if (next < 0) break;
    i = next + 2;
  }
  return out;
}

/** Node's multi-line subject ("C=US\nO=Org\nCN=name") as an RFC 2253-style string, most specific first ("CN=name,O=Org,C=US"). */
export function formatSubject(subject: string): string {
  return subject.split('\n').filter((s) => s.length > 0).reverse().join(',');
}

export function certificateInfo(cert: X509Certificate): PeerCertificate {
  const sans = parseSubjectAltName(cert.subjectAltName);
  return {
    subject: formatSubject(cert.subject),
    uriSans: sans.uris,
    dnsSans: sans.dns,
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
  };
}

/**
 * TlsInfo of an established TLS socket. A verified peer's certificate is read at once (it is the
 * connection's identity and must outlive the socket); the local one on first access only.
 * `peerCertificate` is present only when the peer's certificate VERIFIED (`peerVerified`): an
 * identity nobody checked (a self-signed certificate in permissive mutual TLS) is never exposed,
 * so code that reads a SPIFFE id from it cannot be fooled.
 */
export class SocketTlsInfo implements TlsInfo {
  readonly version: string;
  readonly cipher?: string;
  readonly serverName?: string;
  readonly alpn?: string;
  readonly peerVerified: boolean;
  private readonly socket: TLSSocket;
  private readonly peer: PeerCertificate | null;
  private local: PeerCertificate | null | undefined;

  /** `peerVerified`: the peer presented a certificate and it verified against the configured CA. */
  constructor(socket: TLSSocket, peerVerified: boolean) {
    this.socket = socket;
    this.version = socket.getProtocol() ?? 'unknown';
    const cipher = socket.getCipher();
    if (cipher) this.cipher = cipher.name;
    const sni = (socket as TLSSocket & { servername?: string | false }).servername;
    if (typeof sni === 'string' && sni.length > 0) this.serverName = sni;
    if (typeof socket.alpnProtocol === 'string') this.alpn = socket.alpnProtocol;
    this.peerVerified = peerVerified;
    if (peerVerified) {
      const x = socket.getPeerX509Certificate();
      this.peer = x ? certificateInfo(x) : null;
    } else {
      this.peer = null;
    }
  }

  get peerCertificate(): PeerCertificate | undefined {
    return this.peer ?? undefined;
  }

  get localCertificate(): PeerCertificate | undefined {
    if (this.local === undefined) {
      const x = this.socket.destroyed ? undefined : this.socket.getX509Certificate();
      this.local = x ? certificateInfo(x) : null;
    }
    return this.local ?? undefined;
  }

  /** A plain object with the certificates resolved (for logs and JSON). */
  toJSON(): TlsInfo {
    return {
      version: this.version,
      cipher: this.cipher,
      serverName: this.serverName,
      alpn: this.alpn,
      peerVerified: this.peerVerified,
      peerCertificate: this.peerCertificate,
      localCertificate: this.localCertificate,
    };
  }
}
