// What a node reports about its TLS identity (Docker's NodeDescription.TLSInfo): the roots it
// trusts, and the subject and public key of the issuer of its certificate, each as DER (base64 on
// Docker's API). The managers compare the issuer with the root they want during a root rotation;
// `docker swarm ca --rotate` counts the nodes that report it.

import { X509Certificate as NodeX509 } from 'node:crypto';
import type { NodeTlsMaterial } from './tls-credentials.js';
import {
  certificateBlocks,
  MAX_BUNDLE_CERTIFICATES,
  MAX_CHAIN_CERTIFICATES,
  signedBy,
} from './cert-chain.js';
import { InvalidCertificateError } from './errors.js';
import { x509 } from './x509-library.js';

/** The issuer a node certificate names: DER subject and DER SubjectPublicKeyInfo, base64. */
export interface CertIssuer {
  readonly subject: string;
  readonly publicKey: string;
}

export interface NodeTlsInfo {
  readonly trustRoot: string;
  readonly certIssuerSubject: string;
  readonly certIssuerPublicKey: string;
}

/** The issuer of a CA certificate's certificates: the CA itself (its subject and key). */
export function issuerOfCa(caCertPem: string): CertIssuer {
  const ders = certificateBlocks(caCertPem, 1);
  if (typeof ders === 'string') throw new InvalidCertificateError(`root CA: ${ders}`);
  const cert = new x509.X509Certificate(ders[0]!);
  return {
    subject: Buffer.from(cert.subjectName.toArrayBuffer()).toString('base64'),
    publicKey: Buffer.from(cert.publicKey.rawData).toString('base64'),
  };
}

/**
 * The issuer of the leaf of `certPem` (a chain): its subject as the leaf names it, and the key of
 * whichever certificate of the chain or of the trust bundle signed it.
 */
export function issuerOfCertificate(certPem: string, rootCaPem: string): CertIssuer {
  const chain = certificateBlocks(certPem, MAX_CHAIN_CERTIFICATES);
  if (typeof chain === 'string') throw new InvalidCertificateError(chain);
  const roots = certificateBlocks(rootCaPem, MAX_BUNDLE_CERTIFICATES);
  const candidates = [...chain.slice(1), ...(typeof roots === 'string' ? [] : roots)].map(
    (d) => new NodeX509(d),
  );
  const leaf = new NodeX509(chain[0]!);
  const signer = candidates.find((c) => signedBy(leaf, c));
  if (signer === undefined) {
    throw new InvalidCertificateError('no certificate of its chain or of the trusted roots signed it');
  }
  const issuerName = new x509.X509Certificate(chain[0]!).issuerName;
  return {
    subject: Buffer.from(issuerName.toArrayBuffer()).toString('base64'),
    publicKey: signer.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

export function sameIssuer(a: CertIssuer, b: CertIssuer): boolean {
  return a.subject === b.subject && a.publicKey === b.publicKey;
}

/** The TLSInfo a node reports for its credentials. */
export function nodeTlsInfo(m: NodeTlsMaterial): NodeTlsInfo {
  const issuer = issuerOfCertificate(m.certPem, m.rootCaPem);
  return { trustRoot: m.rootCaPem, certIssuerSubject: issuer.subject, certIssuerPublicKey: issuer.publicKey };
}
