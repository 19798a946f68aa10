// Node certificates, as Swarm makes them. The node generates its key pair and a CSR (the private
// key never leaves it); the CA signs the CSR's public key into a certificate whose subject it
// chooses itself: CN = node ID, OU = "swarm-manager" | "swarm-worker", O = cluster ID. Anyone
// holding the root certificate can verify a peer's certificate and read its identity from it.

import { X509Certificate as NodeX509, createPublicKey } from 'node:crypto';
import type { NodeRole } from '../api/objects/node.js';
import {
  CertificateExpiredError,
  CertificateNotYetValidError,
  InvalidCertExpiryError,
  InvalidCertificateError,
  InvalidCsrError,
  UntrustedCertificateError,
} from './errors.js';
import {
  certificateBlocks,
  issuerOnPathToRoots,
  MAX_BUNDLE_CERTIFICATES,
  MAX_CHAIN_CERTIFICATES,
  parseCertificates,
} from './cert-chain.js';
import { singlePemBlock, toPem } from './pem.js';
import { CERT_BACKDATE_MS, type RootCA } from './root-ca.js';
import { randomSerialNumber } from './serial-number.js';
import { ECDSA_P256, webCrypto, x509 } from './x509-library.js';

export const MANAGER_OU = 'swarm-manager';
export const WORKER_OU = 'swarm-worker';
/** Swarm's default node certificate expiry: 90 days. */
export const DEFAULT_NODE_CERT_EXPIRY_MS = 90 * 24 * 3600 * 1000;
/** Swarm refuses expiries under an hour. */
export const MIN_NODE_CERT_EXPIRY_MS = 3600 * 1000;
/** Renewal happens between these fractions of the lifetime elapsed (Swarm's 50%–80% window). */
export const RENEWAL_WINDOW = { from: 0.5, to: 0.8 } as const;

/** Who a certificate says its holder is. */
export interface NodeIdentity {
  readonly nodeId: string;
  readonly role: NodeRole;
  readonly clusterId: string;
}

export interface NodeCertificateInfo extends NodeIdentity {
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex serial number. */
  readonly serialNumber: string;
}

/** What a node keeps: its private key (never sent) and the request it sends to the CA. */
export interface NodeKeyAndCsr {
  /** PEM PKCS#8 private key. */
  readonly keyPem: string;
  /** PEM PKCS#10 certificate signing request. */
  readonly csrPem: string;
}

export function roleToOu(role: NodeRole): string {
  return role === 'manager' ? MANAGER_OU : WORKER_OU;
}

export function ouToRole(ou: string): NodeRole | undefined {
  if (ou === MANAGER_OU) return 'manager';
  if (ou === WORKER_OU) return 'worker';
  return undefined;
}

/** A fresh ECDSA P-256 key pair and a CSR for it, made on the node. */
export async function generateNodeKeyAndCsr(): Promise<NodeKeyAndCsr> {
  const keys = await webCrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: [{ CN: ['swarm-node'] }], keys, signingAlgorithm: ECDSA_P256 },
    webCrypto,
  );
  const pkcs8 = await webCrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keyPem: toPem(new Uint8Array(pkcs8), 'PRIVATE KEY'), csrPem: csr.toString('pem') };
}

export interface SignNodeCertificateOptions {
  /** The CA's clock. */
  readonly now: Date;
  /** Validity from `now` (default 90 days, at least 1 hour). */
  readonly expiryMs?: number;
  /**
   * PEM certificates sent after the leaf: during a root rotation the cross-signed intermediate,
   * so nodes that still trust only the old root accept the certificate.
   */
  readonly intermediatesPem?: string;
}

/**
 * Signs the public key of `csrPem` into a node certificate for `identity`. The CSR must be a
 * well-formed ECDSA P-256 request whose signature proves possession of the key; its subject is
 * ignored. Returns the PEM certificate.
 */
export async function signNodeCertificate(
  ca: RootCA,
  csrPem: string,
  identity: NodeIdentity,
  options: SignNodeCertificateOptions,
): Promise<string> {
  const expiryMs = options.expiryMs ?? DEFAULT_NODE_CERT_EXPIRY_MS;
  if (!(expiryMs >= MIN_NODE_CERT_EXPIRY_MS)) {
    throw new InvalidCertExpiryError(expiryMs);
  }
  const csr = await parseCsr(csrPem);
  const ou = roleToOu(identity.role);
  const dnsNames = identity.role === 'manager' ? [ou, identity.nodeId, 'swarm-ca'] : [ou, identity.nodeId];
  const now = options.now.getTime();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: [{ CN: [identity.nodeId] }, { OU: [ou] }, { O: [identity.clusterId] }],
      issuer: ca.certificate.subjectName,
      notBefore: new Date(now - CERT_BACKDATE_MS),
      notAfter: new Date(now + expiryMs),
      signingAlgorithm: ECDSA_P256,
      publicKey: csr.publicKey,
      signingKey: ca.signingKey(),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
        await x509.SubjectKeyIdentifierExtension.create(csr.publicKey, false, webCrypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.certificate.publicKey, false, webCrypto),
      ],
    },
    webCrypto,
  );
  return cert.toString('pem') + '\n' + (options.intermediatesPem ?? '');
}

async function parseCsr(csrPem: string): Promise<x509.Pkcs10CertificateRequest> {
  const der = singlePemBlock(csrPem, 'CERTIFICATE REQUEST');
  if (typeof der === 'string') throw new InvalidCsrError(der);
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
  } catch (e: unknown) {
    throw new InvalidCsrError(`cannot parse it: ${e instanceof Error ? e.message : String(e)}`);
  }
  const algorithm = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
  if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256') {
    throw new InvalidCsrError(
      `the key must be ECDSA P-256, got ${algorithm.name ?? '?'} ${algorithm.namedCurve ?? ''}`,
    );
  }
  let valid: boolean;
  try {
    valid = await csr.verify(webCrypto);
  } catch (e: unknown) {
    throw new InvalidCsrError(`cannot check its signature: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!valid) throw new InvalidCsrError('its signature does not match its public key');
  return csr;
}

/**
 * The DER of a certificate given as DER bytes or as PEM: one block, or a chain (the leaf first,
 * then its intermediates, at most MAX_CHAIN_CERTIFICATES), of which this is the leaf.
 */
function certificateDer(cert: string | Uint8Array): Buffer {
  return certificateChain(cert)[0]!;
}

/** The leaf and intermediates of a certificate chain (PEM) or a single DER certificate. */
function certificateChain(cert: string | Uint8Array): Buffer[] {
  if (typeof cert !== 'string') return [Buffer.from(cert)];
  const ders = certificateBlocks(cert, MAX_CHAIN_CERTIFICATES);
  if (typeof ders === 'string') throw new InvalidCertificateError(ders);
  return ders;
}

/** Reads the identity and validity of a node certificate, without checking who signed it. */
export function parseNodeCertificate(cert: string | Uint8Array): NodeCertificateInfo {
  const der = certificateDer(cert);
  let parsed: x509.X509Certificate;
  try {
    parsed = new x509.X509Certificate(der);
  } catch (e: unknown) {
    throw new InvalidCertificateError(`cannot parse it: ${e instanceof Error ? e.message : String(e)}`);
  }
  const one = (field: string, what: string): string => {
    const values = parsed.subjectName.getField(field);
    const v = values[0];
    if (values.length !== 1 || v === undefined || v === '') {
      throw new InvalidCertificateError(
        `the subject must carry exactly one ${field} (${what}), found ${values.length}`,
      );
    }
    return v;
  };
  const nodeId = one('CN', 'the node ID');
  const ou = one('OU', 'the role');
  const role = ouToRole(ou);
  if (role === undefined) {
    throw new InvalidCertificateError(`the OU "${ou}" is neither ${MANAGER_OU} nor ${WORKER_OU}`);
  }
  const clusterId = one('O', 'the cluster ID');
  return {
    nodeId,
    role,
    clusterId,
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
    serialNumber: parsed.serialNumber,
  };
}

/**
 * Verifies that `cert` chains to a root of the trust bundle `rootCaPem` (one root, or the current
 * and the next during a root rotation) and is valid at `now`, and returns the identity it carries.
 * `cert` is a PEM chain (leaf first, then intermediates such as the cross-signed root of a
 * rotation) or the DER leaf, with `intermediates` (DER) beside it. Synchronous (node:crypto), so
 * TLS identity callbacks can use it.
 */
export function verifyNodeCertificate(
  cert: string | Uint8Array,
  rootCaPem: string,
  now: Date,
  intermediates: readonly Uint8Array[] = [],
): NodeCertificateInfo {
  const chain = certificateChain(cert);
  const der = chain[0]!;
  const rootDers = certificateBlocks(rootCaPem, MAX_BUNDLE_CERTIFICATES);
  if (typeof rootDers === 'string') throw new InvalidCertificateError(`root CA: ${rootDers}`);
  let leaf: NodeX509;
  let roots: NodeX509[];
  let mids: NodeX509[];
  try {
    leaf = new NodeX509(der);
    roots = parseCertificates(rootDers);
    mids = parseCertificates([...chain.slice(1), ...intermediates.slice(0, MAX_CHAIN_CERTIFICATES - 1)]);
  } catch (e: unknown) {
    throw new InvalidCertificateError(`cannot parse it: ${e instanceof Error ? e.message : String(e)}`);
  }
  const subject = leaf.subject.replace(/\n/g, ', ');
  const issuer = issuerOnPathToRoots(leaf, mids, roots, now);
  if (issuer === undefined) {
    const byName = roots.some((r) => leaf.checkIssued(r));
    throw new UntrustedCertificateError(
      subject,
      byName
        ? "its signature does not verify with this swarm's root CA key"
        : `it was issued by "${leaf.issuer.replace(/\n/g, ', ')}", not this swarm's root CA`,
    );
  }
  if (leaf.ca) throw new UntrustedCertificateError(subject, 'it is a CA certificate, not a node certificate');
  const rootInfo = new x509.X509Certificate(rootDers[0]!);
  if (now.getTime() > rootInfo.notAfter.getTime())
    throw new CertificateExpiredError('swarm root CA', rootInfo.notAfter);
  const info = parseNodeCertificate(der);
  if (now.getTime() < info.notBefore.getTime())
    throw new CertificateNotYetValidError(subject, info.notBefore);
  if (now.getTime() > info.notAfter.getTime()) throw new CertificateExpiredError(subject, info.notAfter);
  return info;
}

/** Whether the certificate `certPem` is for the private key `keyPem`. */
export function certificateMatchesKey(certPem: string, keyPem: string): boolean {
  try {
    const certKey = new NodeX509(certificateDer(certPem)).publicKey.export({ type: 'spki', format: 'der' });
    const ownKey = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
    return certKey.equals(ownKey);
  } catch {
    return false;
  }
}

/**
 * When a certificate should be renewed: at a point between 50% and 80% of its lifetime, chosen
 * by `jitter` in [0, 1) so that nodes issued together do not all renew together. Draw the jitter
 * once per certificate (a fresh draw on every check would pull renewal towards the window's start).
 */
export function renewalTime(cert: Pick<NodeCertificateInfo, 'notBefore' | 'notAfter'>, jitter: number): Date {
  const j = Math.min(Math.max(jitter, 0), 1);
  const from = cert.notBefore.getTime();
  const lifetime = cert.notAfter.getTime() - from;
  const fraction = RENEWAL_WINDOW.from + (RENEWAL_WINDOW.to - RENEWAL_WINDOW.from) * j;
  return new Date(from + Math.floor(lifetime * fraction));
}

/**
 * Whether a certificate is due for renewal at `now`: once less than about half its lifetime
 * remains (see `renewalTime` for the jitter), or if it has expired or is not yet valid.
 */
export function needsRenewal(
  cert: string | Uint8Array | Pick<NodeCertificateInfo, 'notBefore' | 'notAfter'>,
  now: Date,
  jitter: number,
): boolean {
  const info = typeof cert === 'string' || cert instanceof Uint8Array ? parseNodeCertificate(cert) : cert;
  const t = now.getTime();
  if (t < info.notBefore.getTime() || t >= info.notAfter.getTime()) return true;
  return t >= renewalTime(info, jitter).getTime();
}
