import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  CertificateExpiredError,
  CertificateNotYetValidError,
  InvalidCertExpiryError,
  InvalidCertificateError,
  InvalidCsrError,
  UntrustedCertificateError,
} from '../errors.js';
import {
  certificateMatchesKey,
  DEFAULT_NODE_CERT_EXPIRY_MS,
  generateNodeKeyAndCsr,
  needsRenewal,
  parseNodeCertificate,
  renewalTime,
  signNodeCertificate,
  verifyNodeCertificate,
} from '../node-certificate.js';
import { RootCA } from '../root-ca.js';
import { ECDSA_P256, webCrypto, x509 } from '../x509-library.js';
import { certifiedNode, CLUSTER_ID } from './support/pki-fixtures.js';

const DAY = 24 * 3600 * 1000;
const ca = await RootCA.create();

/** X.509 times have whole seconds. */
const wholeSecondNow = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000);

test('sign, verify, parse: the subject carries node ID (CN), role (OU) and cluster ID (O)', async () => {
  const now = wholeSecondNow();
  for (const [role, ou] of [
    ['worker', 'swarm-worker'],
    ['manager', 'swarm-manager'],
  ] as const) {
    const key = await generateNodeKeyAndCsr();
    const pem = await signNodeCertificate(
      ca,
      key.csrPem,
      { nodeId: 'n0de', role, clusterId: CLUSTER_ID },
      { now },
    );
    const cert = new X509Certificate(pem);
    assert.equal(cert.subject, `CN=n0de\nOU=${ou}\nO=${CLUSTER_ID}`);
    assert.equal(cert.issuer, 'CN=swarm-ca');
    assert.equal(cert.ca, false);
    assert.match(cert.subjectAltName ?? '', new RegExp(`DNS:${ou}, DNS:n0de`));
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.ok(certificateMatchesKey(pem, key.keyPem), 'the certificate is for the key made on the node');

    const info = verifyNodeCertificate(pem, ca.certPem, now);
    assert.deepEqual(
      { nodeId: info.nodeId, role: info.role, clusterId: info.clusterId },
      { nodeId: 'n0de', role, clusterId: CLUSTER_ID },
    );
    assert.equal(info.notAfter.getTime(), now.getTime() + DEFAULT_NODE_CERT_EXPIRY_MS);
    assert.deepEqual(parseNodeCertificate(pem), info);
    assert.deepEqual(parseNodeCertificate(cert.raw), info, 'DER works as well as PEM');
  }
});

test('the CA ignores the subject the node asked for', async () => {
  const keys = await webCrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: [{ CN: ['i-am-the-ca'] }, { OU: ['swarm-manager'] }], keys, signingAlgorithm: ECDSA_P256 },
    webCrypto,
  );
  const pem = await signNodeCertificate(
    ca,
    csr.toString('pem'),
    { nodeId: 'assigned', role: 'worker', clusterId: CLUSTER_ID },
    { now: new Date() },
  );
  const info = parseNodeCertificate(pem);
  assert.equal(info.nodeId, 'assigned');
  assert.equal(info.role, 'worker');
});

test('configurable expiry; under an hour is refused', async () => {
  const now = wholeSecondNow();
  const node = await certifiedNode(ca, 'worker', { now, expiryMs: 2 * 3600 * 1000 });
  assert.equal(parseNodeCertificate(node.certPem).notAfter.getTime(), now.getTime() + 2 * 3600 * 1000);
  const key = await generateNodeKeyAndCsr();
  await assert.rejects(
    signNodeCertificate(
      ca,
      key.csrPem,
      { nodeId: 'x', role: 'worker', clusterId: CLUSTER_ID },
      { now, expiryMs: 59_000 },
    ),
    InvalidCertExpiryError,
  );
});

test('an expired certificate, or one not yet valid, is refused', async () => {
  const issued = new Date('2026-03-01T00:00:00Z');
  const node = await certifiedNode(ca, 'manager', { now: issued, expiryMs: 10 * DAY });
  assert.equal(
    verifyNodeCertificate(node.certPem, ca.certPem, new Date(issued.getTime() + 9 * DAY)).nodeId,
    node.nodeId,
  );
  assert.throws(
    () => verifyNodeCertificate(node.certPem, ca.certPem, new Date(issued.getTime() + 10 * DAY + 1)),
    (e: unknown) =>
      e instanceof CertificateExpiredError &&
      e.code === 'CERTIFICATE_EXPIRED' &&
      /expired at/.test(e.message),
  );
  assert.throws(
    () => verifyNodeCertificate(node.certPem, ca.certPem, new Date(issued.getTime() - 2 * 3600 * 1000)),
    CertificateNotYetValidError,
  );
});

test('a certificate from another CA is refused, even one with the same name', async () => {
  const other = await RootCA.create();
  const stranger = await certifiedNode(other, 'manager');
  assert.throws(
    () => verifyNodeCertificate(stranger.certPem, ca.certPem, new Date()),
    (e: unknown) => e instanceof UntrustedCertificateError && e.code === 'UNTRUSTED_CERTIFICATE',
  );
  // The root itself is not a node certificate.
  assert.throws(() => verifyNodeCertificate(ca.certPem, ca.certPem, new Date()), UntrustedCertificateError);
});

test('malformed certificates and CSRs get typed errors', async () => {
  assert.throws(() => parseNodeCertificate('nothing here'), InvalidCertificateError);
  assert.throws(() => parseNodeCertificate(ca.certPem), /exactly one OU/);
  const id = { nodeId: 'x', role: 'worker' as const, clusterId: CLUSTER_ID };
  const now = new Date();
  await assert.rejects(signNodeCertificate(ca, '', id, { now }), InvalidCsrError);
  await assert.rejects(signNodeCertificate(ca, ca.certPem, id, { now }), /no PEM CERTIFICATE REQUEST block/);
  // A CSR whose signature does not match its key (proof of possession fails).
  const key = await generateNodeKeyAndCsr();
  const der = Buffer.from(new x509.Pkcs10CertificateRequest(key.csrPem).rawData);
  der[der.length - 3] = (der[der.length - 3] ?? 0) ^ 0xff;
  const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  await assert.rejects(signNodeCertificate(ca, tampered, id, { now }), InvalidCsrError);
  // A key of another curve.
  const p384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
  const keys = await webCrypto.subtle.generateKey(p384, true, ['sign', 'verify']);
  const csr384 = await x509.Pkcs10CertificateRequestGenerator.create(
    { keys, signingAlgorithm: p384 },
    webCrypto,
  );
  await assert.rejects(signNodeCertificate(ca, csr384.toString('pem'), id, { now }), /must be ECDSA P-256/);
});

test('renewal is due between 50% and 80% of the lifetime, by the injected jitter', () => {
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const notAfter = new Date(notBefore.getTime() + 100 * DAY);
  const cert = { notBefore, notAfter };
  const at = (days: number): Date => new Date(notBefore.getTime() + days * DAY);
  assert.equal(renewalTime(cert, 0).getTime(), at(50).getTime());
  assert.equal(renewalTime(cert, 0.5).getTime(), at(65).getTime());
  assert.equal(renewalTime(cert, 1).getTime(), at(80).getTime());
  const table: [days: number, jitter: number, due: boolean][] = [
    [-1, 0.5, true], // not yet valid: get a new one
    [10, 0, false],
    [49.9, 0, false],
    [50, 0, true],
    [60, 0.5, false],
    [65, 0.5, true],
    [79, 1, false],
    [80, 1, true],
    [100, 1, true], // expired
    [150, 0, true],
  ];
  for (const [days, jitter, due] of table) {
    assert.equal(needsRenewal(cert, at(days), jitter), due, `day ${days}, jitter ${jitter}`);
  }
});

test('needsRenewal reads a PEM certificate too', async () => {
  const issued = new Date('2026-05-01T00:00:00Z');
  const node = await certifiedNode(ca, 'worker', { now: issued });
  assert.equal(needsRenewal(node.certPem, new Date(issued.getTime() + 30 * DAY), 0.5), false);
  assert.equal(needsRenewal(node.certPem, new Date(issued.getTime() + 60 * DAY), 0.5), true);
});
