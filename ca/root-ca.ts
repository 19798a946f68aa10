// The swarm's root CA: a self-signed ECDSA P-256 certificate named "swarm-ca", valid 20 years
// (as Swarm makes it), with its signing key. Serialized as PEM certificate + PEM PKCS#8 key so
// the replicated store can hold it (Cluster.rootCA). Its digest, sha256 over the DER of the
// certificate, is what join tokens carry and joining nodes pin.

import { createHash, createPrivateKey, createPublicKey, X509Certificate as NodeX509 } from 'node:crypto';
import { InvalidRootCaError } from './errors.js';
import { singlePemBlock, toPem } from './pem.js';
import { randomSerialNumber } from './serial-number.js';
import { ECDSA_P256, webCrypto, x509, type CryptoKey } from './x509-library.js';

export const ROOT_CA_COMMON_NAME = 'swarm-ca';
/** Swarm's root CA validity: 630,720,000 s (20 years of 365 days). */
export const ROOT_CA_VALIDITY_MS = 20 * 365 * 24 * 3600 * 1000;
/** Certificates start an hour in the past, so nodes with slightly slow clocks accept them (Swarm's CertBackdate). */
export const CERT_BACKDATE_MS = 3600 * 1000;

/** The root CA as the store keeps it. */
export interface RootCaPem {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CreateRootCaOptions {
  /** The moment of creation (default: now). */
  readonly now?: Date;
  readonly validityMs?: number;
}

export class RootCA {
  /** PEM of the self-signed root certificate. */
  readonly certPem: string;
  /** The parsed root certificate. */
  readonly certificate: x509.X509Certificate;
  /** "sha256:<hex>" over the DER certificate: what join tokens pin. */
  readonly digest: string;
  /** PEM PKCS#8 private key, absent on a root that only verifies (a worker's trust anchor). */
  readonly keyPem: string | undefined;
  readonly #signingKey: CryptoKey | undefined;

  private constructor(certPem: string, der: Buffer, keyPem?: string, signingKey?: CryptoKey) {
    this.certPem = certPem;
    this.certificate = new x509.X509Certificate(der);
    this.digest = sha256Digest(der);
    this.keyPem = keyPem;
    this.#signingKey = signingKey;
  }

  /** Makes a new root CA with a fresh key pair. */
  static async create(options: CreateRootCaOptions = {}): Promise<RootCA> {
    const now = options.now ?? new Date();
    const validityMs = options.validityMs ?? ROOT_CA_VALIDITY_MS;
    const keys = await webCrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: randomSerialNumber(),
        name: [{ CN: [ROOT_CA_COMMON_NAME] }],
        notBefore: new Date(now.getTime() - CERT_BACKDATE_MS),
        notAfter: new Date(now.getTime() + validityMs),
        signingAlgorithm: ECDSA_P256,
        keys,
        extensions: [
          new x509.BasicConstraintsExtension(true, 1, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
            true,
          ),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webCrypto),
        ],
      },
      webCrypto,
    );
    const pkcs8 = await webCrypto.subtle.exportKey('pkcs8', keys.privateKey);
    const der = Buffer.from(cert.rawData);
    return new RootCA(
      toPem(der, 'CERTIFICATE'),
      der,
      toPem(new Uint8Array(pkcs8), 'PRIVATE KEY'),
      keys.privateKey,
    );
  }

  /**
   * Loads a root CA from PEM. With a key it can sign; the key must match the certificate.
   * Throws InvalidRootCaError unless the PEM holds exactly one self-signed CA certificate.
   */
  static async fromPem(certPem: string, keyPem?: string): Promise<RootCA> {
    const der = rootCertificateDer(certPem);
    const cert = new NodeX509(der);
    if (!cert.ca) throw new InvalidRootCaError('the certificate is not a CA certificate');
    if (!cert.checkIssued(cert) || !cert.verify(cert.publicKey)) {
      throw new InvalidRootCaError('the certificate is not self-signed');
    }
    if (keyPem === undefined) return new RootCA(certPem, der);
    let pkcs8: Buffer;
    let spki: Buffer;
    try {
      const key = createPrivateKey(keyPem);
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new InvalidRootCaError('the key must be an ECDSA P-256 key');
      }
      pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
      spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    } catch (e: unknown) {
      if (e instanceof InvalidRootCaError) throw e;
      throw new InvalidRootCaError(
        `cannot read the private key: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (!spki.equals(cert.publicKey.export({ type: 'spki', format: 'der' }))) {
      throw new InvalidRootCaError('the private key does not belong to the certificate');
    }
    const signingKey = await webCrypto.subtle.importKey(
      'pkcs8',
      pkcs8,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
    return new RootCA(certPem, der, keyPem, signingKey);
  }

  /** Whether this root holds its private key and can sign node certificates. */
  get canSign(): boolean {
    return this.#signingKey !== undefined;
  }

  /** The key that signs node certificates; throws on a verify-only root. */
  signingKey(): CryptoKey {
    if (this.#signingKey === undefined) {
      throw new InvalidRootCaError(
        'this node holds only the root certificate, not its key: only managers sign',
      );
    }
    return this.#signingKey;
  }

  /** The PEM pair to store; throws on a verify-only root. */
  toPem(): RootCaPem {
    if (this.keyPem === undefined) {
      throw new InvalidRootCaError('this node holds only the root certificate, not its key');
    }
    return { certPem: this.certPem, keyPem: this.keyPem };
  }
}

/**
 * "sha256:<hex>" over the DER of the single certificate in `certPem`. A PEM holding more than one
 * certificate is refused: a digest must pin exactly the root that is trusted, nothing beside it.
 */
export function rootCaDigest(certPem: string): string {
  return sha256Digest(rootCertificateDer(certPem));
}

function rootCertificateDer(certPem: string): Buffer {
  const der = singlePemBlock(certPem, 'CERTIFICATE');
  if (typeof der === 'string') throw new InvalidRootCaError(der);
  try {
    new NodeX509(der);
  } catch (e: unknown) {
    throw new InvalidRootCaError(
      `cannot parse the certificate: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return der;
}

function sha256Digest(der: Uint8Array): string {
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}
