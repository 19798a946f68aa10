// Authenticated encryption of the records the Raft storage writes (encryption at rest).
//
// AES-256-GCM under the store's data encryption key (DEK), a fresh random 12-byte nonce per
// record. The record's LevelDB key is the associated data: a sealed value moved under another
// key (an old entry replayed at a newer index, a snapshot put where the hard state was) fails
// authentication instead of being read as that other record.
//
// Sealed layout: [nonce (12) | ciphertext (same length as the plaintext) | GCM tag (16)].
// With random nonces one key should seal fewer than 2^32 records (NIST SP 800-38D); a manager
// writes far fewer in its life, and a DEK rotation (not built yet) would reset the count.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { RaftError } from '../errors.js';

export const DEK_LENGTH = 32;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
/** What sealing adds to a record's length. */
export const SEAL_OVERHEAD = NONCE_LENGTH + TAG_LENGTH;
const ALGORITHM = 'aes-256-gcm';

/** A sealed record that does not authenticate: altered, truncated, or sealed under another key. */
export class RecordAuthError extends RaftError {
  constructor(message: string) {
    super('RECORD_AUTH', message);
    this.name = 'RecordAuthError';
  }
}

export class RecordCipher {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.byteLength !== DEK_LENGTH) {
      throw new RangeError(`a data encryption key is ${DEK_LENGTH} bytes, not ${key.byteLength}`);
    }
    this.key = Buffer.from(key);
  }

  /** A new random data encryption key. */
  static generateKey(): Uint8Array {
    return new Uint8Array(randomBytes(DEK_LENGTH));
  }

  /** Encrypts and authenticates `plaintext`, bound to `aad` (which is not stored). */
  seal(aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const nonce = randomBytes(NONCE_LENGTH);
    const cipher = createCipheriv(ALGORITHM, this.key, nonce, { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad);
    const out = new Uint8Array(SEAL_OVERHEAD + plaintext.byteLength);
    out.set(nonce, 0);
    let at = NONCE_LENGTH;
    const body = cipher.update(plaintext);
    out.set(body, at);
    at += body.byteLength;
    const rest = cipher.final();
    out.set(rest, at);
    at += rest.byteLength;
    out.set(cipher.getAuthTag(), at);
    return out;
  }

  /** The plaintext of a sealed record; RecordAuthError unless it authenticates under `aad`. */
  open(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    if (sealed.byteLength < SEAL_OVERHEAD) {
      throw new RecordAuthError(
        `sealed record of ${sealed.byteLength} bytes is shorter than its ${SEAL_OVERHEAD}-byte nonce and tag`,
      );
    }
    const nonce = sealed.subarray(0, NONCE_LENGTH);
    const tagAt = sealed.byteLength - TAG_LENGTH;
    const decipher = createDecipheriv(ALGORITHM, this.key, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(tagAt));
    const out = new Uint8Array(tagAt - NONCE_LENGTH);
    const body = decipher.update(sealed.subarray(NONCE_LENGTH, tagAt));
    out.set(body, 0);
    try {
      decipher.final();
    } catch {
      // Nothing decrypted is handed out: `out` is dropped with the error.
      throw new RecordAuthError(
        'sealed record does not authenticate (altered, or sealed under another key or for another record)',
      );
    }
    return out;
  }
}
