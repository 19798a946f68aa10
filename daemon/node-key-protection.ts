// A manager's TLS private key at rest under autolock: stored as an encrypted PKCS#8 PEM whose
// passphrase is derived (HKDF-SHA256, a label of its own) from the manager's Raft data
// encryption key (DEK), the key that autolock wraps with the swarm's unlock key. So the unlock
// key protects one file only (raft-dek.json, replaced atomically): a rotation never rewrites
// the TLS key, and no crash can leave the two protected by different keys. Without autolock
// the key is a plain PEM in the 0600 file. Workers never hold an encrypted key.

import { createPrivateKey, hkdfSync } from 'node:crypto';

const LABEL = 'shoal node tls key v1';
const ENCRYPTED_PEM = '-----BEGIN ENCRYPTED PRIVATE KEY-----';

export class NodeKeyLockedError extends Error {
  readonly code = 'NODE_KEY_LOCKED';
  constructor(message: string) {
    super(message);
    this.name = 'NodeKeyLockedError';
  }
}

function passphrase(dataKey: Uint8Array): string {
  return Buffer.from(hkdfSync('sha256', dataKey, new Uint8Array(0), LABEL, 32)).toString('hex');
}

/** Is this PEM encrypted (so the swarm's unlock key is needed to use it)? */
export function isProtectedNodeKey(pem: string): boolean {
  return pem.trimStart().startsWith(ENCRYPTED_PEM);
}

/** The PEM to store: encrypted under `dataKey` if given (autolock), the plain PEM otherwise. */
export function protectNodeKey(plainPem: string, dataKey: Uint8Array | undefined): string {
  if (dataKey === undefined) return plainPem;
  return createPrivateKey(plainPem)
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: passphrase(dataKey) })
    .toString();
}

/** The plain PEM of a stored key; NodeKeyLockedError if it is encrypted and `unlockKey` does not open it. */
export function openNodeKey(storedPem: string, unlockKey: Uint8Array | undefined): string {
  if (!isProtectedNodeKey(storedPem)) return storedPem;
  if (unlockKey === undefined) {
    throw new NodeKeyLockedError(
      'the node TLS key is protected by the swarm unlock key: unlock the swarm first',
    );
  }
  try {
    return createPrivateKey({ key: storedPem, passphrase: passphrase(unlockKey) })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
  } catch {
    throw new NodeKeyLockedError("the node TLS key is not opened by this manager's Raft data key (damaged)");
  }
}
