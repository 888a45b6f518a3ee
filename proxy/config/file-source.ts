// Loads weft.yaml into a Snapshot: parse and validate, read secret and module files, version by content hash.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  parseSnapshot,
  formatPath,
  type ConfigError,
  type Snapshot,
  type SecretConfig,
  type PluginConfig,
} from '../../api/snapshot/index.js';
import { type Result, ok, err } from '../../lib/errors.js';
import { locatorFor, type Locate } from './locate.js';
import { deepFreeze } from './deep-freeze.js';

/** A config file turned into the Snapshot the proxy runs on. */
export interface LoadedConfig {
  /**
   * Validated and frozen. `version` is a hash of the config text and of every file it references;
   * secret `*_file` fields are replaced by the PEM text they name; plugin `module.file` is absolute
   * and `module.sha256` is the module's hash.
   */
  readonly snapshot: Snapshot;
  /** Absolute paths of every file the Snapshot was built from (the config first): what to watch. */
  readonly files: readonly string[];
}

export interface LoadOptions {
  /** Reads a file (tests inject failures); default `fs.promises.readFile`. */
  readFile?: (path: string) => Promise<Buffer>;
}

const SECRET_FILE_FIELDS = [
  ['certificate_file', 'certificate'],
  ['private_key_file', 'private_key'],
  ['ca_file', 'ca'],
] as const;

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;

/**
 * Reads and validates the config at `path`. Never throws on bad input: every problem comes back
 * as a ConfigError naming the file (as the user wrote it), the field and, when known, the line.
 */
export async function loadConfigFile(path: string, options: LoadOptions = {}): Promise<Result<LoadedConfig, ConfigError[]>> {
  const read = options.readFile ?? ((p: string) => readFile(p));
  const file = path;
  const absolute = resolve(path);
  const base = dirname(absolute);

  let text: string;
  try {
    text = (await read(absolute)).toString('utf8');
  } catch (e) {
    return err([{ file, path: '', message: `cannot read the file: ${describeFsError(e)}` }]);
  }
  const parsed = parseSnapshot(text, { file });
  if (!parsed.ok) return parsed;
  const snapshot = parsed.value;

  const errors: ConfigError[] = [];
  let locate: Locate | undefined;
  const fail = (segments: (string | number)[], message: string) => {
    locate ??= locatorFor(text);
    const pos = locate(segments);
    const e: ConfigError = { file, path: formatPath(segments), message };
    errors.push(pos ? { ...e, line: pos.line, column: pos.column } : e);
  };

  const hash = createHash('sha256').update(text);
  const files = [absolute];
  const readReferenced = async (segments: (string | number)[], relative: string): Promise<Buffer | undefined> => {
    const target = resolve(base, relative);
    try {
      const data = await read(target);
      files.push(target);
      hash.update(`\0${formatPath(segments)}\0${data.length}\0`).update(data);
      return data;
    } catch (e) {
      fail(segments, `cannot read "${target}": ${describeFsError(e)}`);
      return undefined;
    }
  };

  const secrets: SecretConfig[] = [];
  for (const [i, secret] of snapshot.secrets.entries()) {
    const out: { -readonly [K in keyof SecretConfig]: SecretConfig[K] } = { name: secret.name };
    for (const [fileField, inlineField] of SECRET_FILE_FIELDS) {
      const inline = secret[inlineField];
      const ref = secret[fileField];
      if (inline !== undefined) out[inlineField] = inline;
      if (ref === undefined) continue;
      const data = await readReferenced(['secrets', i, fileField], ref);
      if (data === undefined) continue;
      const pem = data.toString('utf8');
      if (!PEM_BLOCK.test(pem)) {
        fail(['secrets', i, fileField], `"${resolve(base, ref)}" holds no PEM block ("-----BEGIN …-----")`);
        continue;
      }
      out[inlineField] = pem;
    }
    secrets.push(out);
  }

  const plugins: PluginConfig[] = [];
  for (const [i, plugin] of snapshot.plugins.entries()) {
    const ref = plugin.module.file;
    if (ref === undefined) {
      plugins.push(plugin);
      continue;
    }
    const data = await readReferenced(['plugins', i, 'module', 'file'], ref);
    if (data === undefined) {
      plugins.push(plugin);
      continue;
    }
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (plugin.module.sha256 !== undefined && plugin.module.sha256 !== sha256) {
      fail(['plugins', i, 'module', 'sha256'], `does not match the file "${resolve(base, ref)}" (its sha256 is ${sha256})`);
    }
    plugins.push({ ...plugin, module: { file: resolve(base, ref), sha256 } });
  }

  if (errors.length > 0) return err(errors);
  const version = hash.digest('hex').slice(0, 16);
  return ok({ snapshot: deepFreeze({ ...snapshot, version, secrets, plugins }) as Snapshot, files });
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return (e as Error | undefined)?.message ?? String(e);
  }
}
