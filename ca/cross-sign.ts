// The bridge between two roots during a root CA rotation (as Swarm does it): a CA certificate
// with the new root's subject and public key, issued and signed by the old root. A certificate
// signed by the new key, sent with this intermediate, verifies for a node that still trusts
// only the old root; for a node that trusts the new root it verifies directly.

import { InvalidRootCaError } from './errors.js';
import type { RootCA } from './root-ca.js';
import { randomSerialNumber } from './serial-number.js';
import { ECDSA_P256, webCrypto, x509 } from './x509-library.js';

/** Signs `next`'s subject and key with `current`'s key; PEM. Validity: `next`'s, within `current`'s. */
export async function crossSignRoot(current: RootCA, next: RootCA): Promise<string> {
  if (!current.canSign) {
    throw new InvalidRootCaError('the current root CA has no key here, so it cannot cross-sign a new root');
  }
  const notBefore = next.certificate.notBefore;
  const notAfter = new Date(
    Math.min(next.certificate.notAfter.getTime(), current.certificate.notAfter.getTime()),
  );
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: next.certificate.subjectName,
      issuer: current.certificate.subjectName,
      notBefore,
      notAfter,
      signingAlgorithm: ECDSA_P256,
      publicKey: next.certificate.publicKey,
      signingKey: current.signingKey(),
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(next.certificate.publicKey, false, webCrypto),
        await x509.AuthorityKeyIdentifierExtension.create(current.certificate.publicKey, false, webCrypto),
      ],
    },
    webCrypto,
  );
  return cert.toString('pem') + '\n';
}
