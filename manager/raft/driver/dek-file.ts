// The file holding a manager's Raft data encryption key (DEK): JSON
//   { "version": 1, "kek": "none", "dek": "<base64 of 32 bytes>" }
// `kek` names how `dek` is protected. "none": stored as is, like Swarm's default where the DEK
// sits next to the node's TLS key in the same private directory. Autolock will store the DEK
// wrapped by a key-encryption key and name that scheme here; a file naming a scheme this build
// does not know is refused rather than misread.
//
// The file is created whole (temporary file, fsync, rename, fsync of the directory) with mode
// 0600, so a crash leaves either no key or the whole key, never a torn one.

import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RaftError } from '../errors.js';
import { DEK_LENGTH } from './record-cipher.js';

const FILE_VERSION = 1;
const FILE_MODE = 0o600;

interface DekFileContent {
  readonly version: typeof FILE_VERSION;
  readonly kek: 'none';
  readonly dek: string;
}

/** The key file exists but cannot be used (damaged, or protected in a way this build cannot undo). */
export class DekFileError extends RaftError {
  readonly path: string;
  readonly detail: string;
  constructor(path: string, detail: string) {
    super('DEK_FILE', `raft data encryption key file ${path} ${detail}`);
    this.name = 'DekFileError';
    this.path = path;
    this.detail = detail;
  }
}

function parse(path: string, text: string): Uint8Array {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new DekFileError(path, 'is not valid JSON (damaged)');
  }
  if (typeof o !== 'object' || o === null) throw new DekFileError(path, 'does not hold a JSON object');
  const { version, kek, dek } = o as Record<string, unknown>;
  if (version !== FILE_VERSION) {
    throw new DekFileError(path, `has version ${String(version)}; this build reads version ${FILE_VERSION}`);
  }
  if (kek !== 'none') {
    throw new DekFileError(
      path,
      `holds a key protected by '${String(kek)}', which this build cannot unwrap (only 'none')`,
    );
  }
  if (typeof dek !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(dek)) {
    throw new DekFileError(path, 'has no base64 "dek" field');
  }
  const key = new Uint8Array(Buffer.from(dek, 'base64'));
  if (key.byteLength !== DEK_LENGTH) {
    throw new DekFileError(path, `holds a ${key.byteLength}-byte key where ${DEK_LENGTH} bytes are due`);
  }
  return key;
}

/** The key stored at `path`, or undefined if there is no such file. */
export async function readDekFile(path: string): Promise<Uint8Array | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parse(path, text);
}

/** Stores `dek` at `path` (unprotected: kek "none"), atomically and durably. */
export async function writeDekFile(path: string, dek: Uint8Array): Promise<void> {
  if (dek.byteLength !== DEK_LENGTH) throw new RangeError(`a DEK is ${DEK_LENGTH} bytes`);
  const content: DekFileContent = {
    version: FILE_VERSION,
    kek: 'none',
    dek: Buffer.from(dek).toString('base64'),
  };
  const tmp = `${path}.tmp`;
  await rm(tmp, { force: true });
  const fh = await open(tmp, 'wx', FILE_MODE);
  try {
    // The mode given to open is filtered by the umask; the key must be 0600 whatever it is.
    await fh.chmod(FILE_MODE);
    await fh.writeFile(`${JSON.stringify(content)}\n`, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
