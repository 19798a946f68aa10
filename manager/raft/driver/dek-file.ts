// The file holding a manager's Raft data encryption key (DEK), as JSON:
//   { "version": 1, "kek": "none", "dek": "<base64 of 32 bytes>" }
//   { "version": 1, "kek": "unlock-key", "salt": "<base64>", "wrapped": "<base64>" }
// `kek` names how the DEK is protected. "none": stored as is, like Swarm's default where the DEK
// sits next to the node's TLS key in the same private directory. "unlock-key" (autolock): the
// DEK sealed with AES-256-GCM under a key-encryption key derived (HKDF-SHA256, the file's own
// random salt) from the swarm's unlock key, so the store cannot be read until a user gives the
// key (`swarm unlock`). A file naming a scheme this build does not know is refused rather than
// misread.
//
// The file is created whole (temporary file, fsync, rename, fsync of the directory) with mode
// 0600, so a crash leaves either the old protection or the new one, never a torn key.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RaftError } from '../errors.js';
import { DEK_LENGTH } from './record-cipher.js';

const FILE_VERSION = 1;
const FILE_MODE = 0o600;

const SALT_LENGTH = 16;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const WRAP_INFO = 'shoal raft dek wrap v1';
/** Bound on the file read (a valid one is well under 1 KiB). */
const MAX_FILE_BYTES = 64 * 1024;

/** How the key in a key file is protected. */
export type DekProtection = 'none' | 'unlock-key';

type DekFileContent =
  | { readonly version: typeof FILE_VERSION; readonly kek: 'none'; readonly dek: string }
  | {
      readonly version: typeof FILE_VERSION;
      readonly kek: 'unlock-key';
      readonly salt: string;
      readonly wrapped: string;
    };

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

/** The key is wrapped with the swarm's unlock key, and none (or another one) was given. */
export class DekLockedError extends RaftError {
  readonly path: string;
  constructor(path: string, detail: string) {
    super('DEK_LOCKED', `raft data encryption key file ${path} ${detail}`);
    this.name = 'DekLockedError';
    this.path = path;
  }
}

function kekFrom(unlockKey: Uint8Array, salt: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', unlockKey, salt, WRAP_INFO, DEK_LENGTH));
}

function wrap(dek: Uint8Array, unlockKey: Uint8Array): { salt: string; wrapped: string } {
  const salt = randomBytes(SALT_LENGTH);
  const nonce = randomBytes(NONCE_LENGTH);
  const c = createCipheriv('aes-256-gcm', kekFrom(unlockKey, salt), nonce, { authTagLength: TAG_LENGTH });
  c.setAAD(Buffer.from(WRAP_INFO));
  const body = Buffer.concat([c.update(dek), c.final()]);
  return {
    salt: salt.toString('base64'),
    wrapped: Buffer.concat([nonce, body, c.getAuthTag()]).toString('base64'),
  };
}

function unwrap(path: string, salt: Uint8Array, wrapped: Uint8Array, unlockKey: Uint8Array): Uint8Array {
  if (salt.byteLength !== SALT_LENGTH || wrapped.byteLength !== NONCE_LENGTH + DEK_LENGTH + TAG_LENGTH) {
    throw new DekFileError(path, 'holds a wrapped key of the wrong size (damaged)');
  }
  const nonce = wrapped.subarray(0, NONCE_LENGTH);
  const d = createDecipheriv('aes-256-gcm', kekFrom(unlockKey, salt), nonce, { authTagLength: TAG_LENGTH });
  d.setAAD(Buffer.from(WRAP_INFO));
  d.setAuthTag(wrapped.subarray(NONCE_LENGTH + DEK_LENGTH));
  const dek = d.update(wrapped.subarray(NONCE_LENGTH, NONCE_LENGTH + DEK_LENGTH));
  try {
    d.final();
  } catch {
    throw new DekLockedError(path, 'is not opened by the unlock key given (a wrong or an older key)');
  }
  return new Uint8Array(dek);
}

function base64Field(path: string, o: Record<string, unknown>, name: string): Uint8Array {
  const v = o[name];
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
    throw new DekFileError(path, `has no base64 "${name}" field`);
  }
  return new Uint8Array(Buffer.from(v, 'base64'));
}

/** What a key file holds: the key, or the key wrapped with the unlock key. */
type Parsed = { kek: 'none'; dek: Uint8Array } | { kek: 'unlock-key'; salt: Uint8Array; wrapped: Uint8Array };

function parse(path: string, text: string): Parsed {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new DekFileError(path, 'is not valid JSON (damaged)');
  }
  if (typeof o !== 'object' || o === null) throw new DekFileError(path, 'does not hold a JSON object');
  const fields = o as Record<string, unknown>;
  const { version, kek } = fields;
  if (version !== FILE_VERSION) {
    throw new DekFileError(path, `has version ${String(version)}; this build reads version ${FILE_VERSION}`);
  }
  if (kek === 'unlock-key') {
    return { kek, salt: base64Field(path, fields, 'salt'), wrapped: base64Field(path, fields, 'wrapped') };
  }
  if (kek !== 'none') {
    throw new DekFileError(
      path,
      `holds a key protected by '${String(kek)}', which this build cannot unwrap (only 'none' and 'unlock-key')`,
    );
  }
  const key = base64Field(path, fields, 'dek');
  if (key.byteLength !== DEK_LENGTH) {
    throw new DekFileError(path, `holds a ${key.byteLength}-byte key where ${DEK_LENGTH} bytes are due`);
  }
  return { kek, dek: key };
}

async function readParsed(path: string): Promise<Parsed | undefined> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      if (size > MAX_FILE_BYTES) throw new DekFileError(path, `is ${size} bytes, not a key file (damaged)`);
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parse(path, text);
}

/** How the key at `path` is protected, or undefined if there is no such file. */
export async function dekProtection(path: string): Promise<DekProtection | undefined> {
  return (await readParsed(path))?.kek;
}

/**
 * The key stored at `path`, or undefined if there is no such file. A key wrapped with the
 * unlock key needs `unlockKey` (the key's bytes): DekLockedError without it or with another.
 */
export async function readDekFile(path: string, unlockKey?: Uint8Array): Promise<Uint8Array | undefined> {
  const p = await readParsed(path);
  if (p === undefined || p.kek === 'none') return p?.dek;
  if (unlockKey === undefined) {
    throw new DekLockedError(path, 'is protected by the swarm unlock key (autolock): unlock the swarm first');
  }
  return unwrap(path, p.salt, p.wrapped, unlockKey);
}

/**
 * Stores `dek` at `path`, atomically and durably: wrapped with `unlockKey` when one is given
 * (autolock), as is otherwise.
 */
export async function writeDekFile(path: string, dek: Uint8Array, unlockKey?: Uint8Array): Promise<void> {
  if (dek.byteLength !== DEK_LENGTH) throw new RangeError(`a DEK is ${DEK_LENGTH} bytes`);
  const content: DekFileContent =
    unlockKey === undefined
      ? { version: FILE_VERSION, kek: 'none', dek: Buffer.from(dek).toString('base64') }
      : { version: FILE_VERSION, kek: 'unlock-key', ...wrap(dek, unlockKey) };
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
