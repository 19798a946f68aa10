// Root CA rotation (`docker swarm ca --rotate`), swarmkit's rules with its messages: a swarm
// update starts a rotation when CAConfig.ForceRotate differs from the stored value (a new root
// is generated) or when SigningCACert/SigningCAKey name a root other than the current one (that
// root is used). A rotation asked for during another replaces the pending root; asking for the
// pending root keeps it; asking for the current root cancels the pending rotation. External CAs
// are not supported: a rotation that needs one is refused. Pure: the crypto that builds the new
// root and its cross-signed intermediate runs after this decided (manager/ca/root-rotation.ts).

import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { certificateBlocks } from '../../ca/cert-chain.js';
import { toPem } from '../../ca/pem.js';
import type { Cluster, ClusterSpec } from '../store/index.js';
import { checkString } from './field-checks.js';
import * as L from './limits.js';
import { invalidArgument, Refusal, unimplemented } from './refusal.js';

/** swarmkit's minimum remaining validity of a root given to rotate to: one year. */
export const MIN_GIVEN_ROOT_VALIDITY_MS = 365 * 24 * 3600 * 1000;

export interface CaRotationInput {
  /** The spec to store (merged by the route). */
  readonly spec: ClusterSpec;
  /** Docker's CAConfig.SigningCACert / SigningCAKey (PEM; '' or absent when not given). */
  readonly signingCACert?: string;
  readonly signingCAKey?: string;
  /** The time a given root must still be valid from. */
  readonly now: Date;
}

/** What the update does to the root CA. */
export type RootRotationPlan =
  | { readonly kind: 'none' }
  /** Generate a new root and rotate to it. */
  | { readonly kind: 'generate' }
  /** Rotate to this root (normalized PEM, validated pair). */
  | { readonly kind: 'given'; readonly certPem: string; readonly keyPem: string }
  /** The given root is the current one: drop the pending rotation. */
  | { readonly kind: 'cancel' };

const KEY_WITHOUT_CERT = 'if a signing CA key is provided, the signing CA cert must also be provided';
const NO_EXTERNAL_CA =
  'there must be at least one valid, reachable external CA corresponding to the desired CA certificate';

export function planRootRotation(cluster: Cluster, input: CaRotationInput): RootRotationPlan {
  const cert = input.signingCACert ?? '';
  const key = input.signingCAKey ?? '';
  checkString('CAConfig: SigningCACert', cert, L.MAX_PEM_BYTES);
  checkString('CAConfig: SigningCAKey', key, L.MAX_PEM_BYTES);
  if (key !== '' && cert === '') throw invalidArgument(KEY_WITHOUT_CERT);
  const forced = input.spec.caConfig.forceRotate !== cluster.spec.caConfig.forceRotate;
  const externalChanged =
    JSON.stringify(input.spec.caConfig.externalCAs) !== JSON.stringify(cluster.spec.caConfig.externalCAs);
  if ((cert !== '' || forced) && externalChanged && input.spec.caConfig.externalCAs.length > 0) {
    throw unimplemented(
      'rotating the root CA to an external CA is not supported: give the new root certificate with its key (--ca-cert and --ca-key), or let the swarm generate one',
    );
  }
  if (cert === '') return forced ? { kind: 'generate' } : { kind: 'none' };
  // swarmkit would look for an external CA holding the key; shoal signs only with its own keys.
  if (key === '') throw invalidArgument(NO_EXTERNAL_CA);
  const pair = checkGivenRoot(cert, key, input.now);
  if (pair.certPem === normalized(cluster.rootCA.caCert)) {
    if (cluster.rootCA.caKey !== undefined && !sameKey(pair.keyPem, cluster.rootCA.caKey)) {
      throw invalidArgument('the signing CA key does not match the signing CA certificate');
    }
    return cluster.rootCA.rootRotation === undefined ? { kind: 'none' } : { kind: 'cancel' };
  }
  if (cluster.rootCA.caKey !== undefined && sameKey(pair.keyPem, cluster.rootCA.caKey)) {
    throw invalidArgument('Cannot update to a cert with an identical key');
  }
  const pending = cluster.rootCA.rootRotation;
  if (pending !== undefined && normalized(pending.caCert) === pair.certPem) return { kind: 'none' };
  return { kind: 'given', ...pair };
}

/** A root certificate and key given to rotate to: one self-signed CA certificate, valid for a year, and its key. */
export function checkGivenRoot(
  certPem: string,
  keyPem: string,
  now: Date,
): { certPem: string; keyPem: string } {
  const blocks = certificateBlocks(certPem, 1);
  if (typeof blocks === 'string') {
    throw invalidArgument(
      blocks.startsWith('expected')
        ? 'the desired CA certificate cannot contain multiple certificates'
        : `could not parse the desired CA certificate: ${blocks}`,
    );
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(blocks[0]!);
  } catch {
    throw invalidArgument('could not parse the desired CA certificate');
  }
  if (!cert.ca) throw invalidArgument('the desired CA certificate is not a CA certificate');
  if (!cert.checkIssued(cert) || !cert.verify(cert.publicKey)) {
    throw invalidArgument('the desired CA certificate must be a self-signed root certificate');
  }
  if (new Date(cert.validTo).getTime() < now.getTime() + MIN_GIVEN_ROOT_VALIDITY_MS) {
    throw invalidArgument('CA certificate expires too soon');
  }
  if (new Date(cert.validFrom).getTime() > now.getTime()) {
    throw invalidArgument('the desired CA certificate is not valid yet');
  }
  let pkcs8: Buffer;
  try {
    const key = createPrivateKey(keyPem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw invalidArgument('the signing CA key must be an ECDSA P-256 key');
    }
    if (!spki(key).equals(cert.publicKey.export({ type: 'spki', format: 'der' }))) {
      throw invalidArgument('the signing CA key does not match the signing CA certificate');
    }
    pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  } catch (e: unknown) {
    if (e instanceof Refusal) throw e;
    throw invalidArgument('could not parse the signing CA key');
  }
  return { certPem: toPem(blocks[0]!, 'CERTIFICATE'), keyPem: toPem(pkcs8, 'PRIVATE KEY') };
}

function spki(key: ReturnType<typeof createPrivateKey>): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

function sameKey(a: string, b: string): boolean {
  try {
    return spki(createPrivateKey(a)).equals(spki(createPrivateKey(b)));
  } catch {
    return false;
  }
}

/** A PEM certificate re-encoded from its DER, so equal certificates compare equal as text. */
function normalized(pem: string): string {
  const blocks = certificateBlocks(pem, 1);
  return typeof blocks === 'string' ? pem : toPem(blocks[0]!, 'CERTIFICATE');
}
