// Docker's TLSInfo of a root CA: the PEM, and base64 of the DER subject and public key of the
// certificate's issuer (for a root CA, itself). Unparsable certificates give empty fields.

import { x509 } from '../../../ca/x509-library.js';
import type { DockerTLSInfo } from '../../../api/docker/tls-info.js';

export function tlsInfoOf(caCertPem: string): DockerTLSInfo {
  try {
    const cert = new x509.X509Certificate(caCertPem);
    return {
      TrustRoot: caCertPem,
      CertIssuerSubject: Buffer.from(cert.subjectName.toArrayBuffer()).toString('base64'),
      CertIssuerPublicKey: Buffer.from(cert.publicKey.rawData).toString('base64'),
    };
  } catch {
    return { TrustRoot: caCertPem, CertIssuerSubject: '', CertIssuerPublicKey: '' };
  }
}
