// Docker's TLSInfo: the trust root a node or the cluster uses, and the DER subject and public
// key of the certificate's issuer (base64).

import { Type, type Static } from '@sinclair/typebox';

export const TLSInfoSchema = Type.Object({
  TrustRoot: Type.Optional(Type.String()),
  CertIssuerSubject: Type.Optional(Type.String()),
  CertIssuerPublicKey: Type.Optional(Type.String()),
});

export type DockerTLSInfo = Static<typeof TLSInfoSchema>;
