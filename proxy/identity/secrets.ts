// Resolves the Snapshot's secrets (inline PEM or files) into the PEM text TLS contexts need.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SecretConfig, Snapshot } from '../../api/snapshot/index.js';
import { WeftError, type Result, ok, err } from '../../lib/errors.js';

/** The PEM material of one secret. A certificate always comes with its key. */
export interface SecretMaterial {
  readonly name: string;
  readonly certificate?: string;
  readonly privateKey?: string;
  readonly ca?: string;
}

export interface SecretStoreOptions {
  /** Base directory for relative `*_file` paths (the config file's directory); default: the working directory. */
  baseDir?: string;
}

/**
 * The secrets of one Snapshot, resolved once (files are read when the Snapshot is applied, not per
 * connection). `get` answers a `WeftError` naming the secret and field when something is missing.
 */
export class SecretStore {
  private readonly byName = new Map<string, SecretConfig>();
  private readonly cache = new Map<string, Result<SecretMaterial>>();
  private readonly baseDir: string;

  constructor(secrets: Snapshot['secrets'], options: SecretStoreOptions = {}) {
    for (const s of secrets) this.byName.set(s.name, s);
    this.baseDir = options.baseDir ?? process.cwd();
  }

  get(name: string): Result<SecretMaterial> {
    let r = this.cache.get(name);
    if (!r) {
      r = this.load(name);
      this.cache.set(name, r);
    }
    return r;
  }

  /** A certificate with its private key, or an error. */
  certificate(name: string): Result<{ certificate: string; privateKey: string }> {
    const r = this.get(name);
    if (!r.ok) return r;
    if (r.value.certificate === undefined || r.value.privateKey === undefined) {
      return err(new WeftError('secret_incomplete', `secret "${name}" has no certificate and private key`));
    }
    return ok({ certificate: r.value.certificate, privateKey: r.value.privateKey });
  }

  /** A CA bundle, or an error. */
  ca(name: string): Result<string> {
    const r = this.get(name);
    if (!r.ok) return r;
    if (r.value.ca === undefined) return err(new WeftError('secret_incomplete', `secret "${name}" has no CA bundle`));
    return ok(r.value.ca);
  }

  private load(name: string): Result<SecretMaterial> {
    const s = this.byName.get(name);
    if (!s) return err(new WeftError('secret_not_found', `no secret named "${name}"`));
    const read = (field: string, inline: string | undefined, file: string | undefined): Result<string | undefined> => {
      if (inline !== undefined) return ok(inline);
      if (file === undefined) return ok(undefined);
      const path = isAbsolute(file) ? file : resolve(this.baseDir, file);
      try {
        return ok(readFileSync(path, 'utf8'));
      } catch (e) {
        return err(new WeftError('secret_unreadable', `secret "${name}": cannot read ${field}_file ${path}: ${(e as Error).message}`, { cause: e }));
      }
    };
    const certificate = read('certificate', s.certificate, s.certificate_file);
    if (!certificate.ok) return certificate;
    const privateKey = read('private_key', s.private_key, s.private_key_file);
    if (!privateKey.ok) return privateKey;
    const ca = read('ca', s.ca, s.ca_file);
    if (!ca.ok) return ca;
    const material: { name: string; certificate?: string; privateKey?: string; ca?: string } = { name };
    if (certificate.value !== undefined) material.certificate = certificate.value;
    if (privateKey.value !== undefined) material.privateKey = privateKey.value;
    if (ca.value !== undefined) material.ca = ca.value;
    return ok(Object.freeze(material));
  }
}

// Secrets resolved once per Snapshot (several listeners and clusters may name the same one); weak, so they go with the Snapshot.
const secretStores = new WeakMap<Snapshot, SecretStore>();

/** The Snapshot's secrets, resolved once. */
export function snapshotSecrets(snapshot: Snapshot): SecretStore {
  let s = secretStores.get(snapshot);
  if (s === undefined) {
    s = new SecretStore(snapshot.secrets);
    secretStores.set(snapshot, s);
  }
  return s;
}

