import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { InvalidRootCaError } from '../errors.js';
import { RootCA, ROOT_CA_VALIDITY_MS, rootCaDigest } from '../root-ca.js';
import { certifiedNode } from './support/pki-fixtures.js';

test('a new root CA is a self-signed ECDSA P-256 CA named swarm-ca, valid 20 years', async () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const ca = await RootCA.create({ now });
  const cert = new X509Certificate(ca.certPem);
  assert.equal(cert.subject, 'CN=swarm-ca');
  assert.equal(cert.issuer, 'CN=swarm-ca');
  assert.equal(cert.ca, true);
  assert.ok(cert.verify(cert.publicKey));
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.equal(ca.certificate.notAfter.getTime(), now.getTime() + ROOT_CA_VALIDITY_MS);
  assert.ok(ca.certificate.notBefore.getTime() < now.getTime(), 'backdated for clock skew');
  assert.equal(ca.canSign, true);
});

test('the digest is sha256 over the DER certificate, as "sha256:<hex>"', async () => {
  const ca = await RootCA.create();
  const der = new X509Certificate(ca.certPem).raw;
  const expected = `sha256:${createHash('sha256').update(der).digest('hex')}`;
  assert.equal(ca.digest, expected);
  assert.equal(rootCaDigest(ca.certPem), expected);
  // Re-wrapping the PEM (other line endings) does not change the digest: it covers the DER.
  assert.equal(rootCaDigest(ca.certPem.replace(/\n/g, '\r\n')), expected);
});

test('serialize and load again: same certificate, same digest, still signs', async () => {
  const ca = await RootCA.create();
  const { certPem, keyPem } = ca.toPem();
  const loaded = await RootCA.fromPem(certPem, keyPem);
  assert.equal(loaded.certPem, ca.certPem);
  assert.equal(loaded.digest, ca.digest);
  assert.equal(loaded.canSign, true);
  const node = await certifiedNode(loaded, 'worker');
  assert.ok(new X509Certificate(node.certPem).verify(new X509Certificate(ca.certPem).publicKey));
});

test('a root loaded without its key verifies but cannot sign', async () => {
  const ca = await RootCA.create();
  const trustOnly = await RootCA.fromPem(ca.certPem);
  assert.equal(trustOnly.canSign, false);
  assert.equal(trustOnly.digest, ca.digest);
  assert.throws(() => trustOnly.signingKey(), InvalidRootCaError);
  assert.throws(() => trustOnly.toPem(), InvalidRootCaError);
});

test('loading refuses what is not one self-signed CA certificate with its own key', async () => {
  const ca = await RootCA.create();
  const other = await RootCA.create();
  const node = await certifiedNode(ca, 'manager');
  const cases: { name: string; cert: string; key?: string; reason: RegExp }[] = [
    { name: 'key of another CA', cert: ca.certPem, key: other.toPem().keyPem, reason: /does not belong/ },
    { name: 'node certificate', cert: node.certPem, reason: /not a CA certificate/ },
    {
      name: 'two certificates',
      cert: ca.certPem + other.certPem,
      reason: /expected one PEM CERTIFICATE block, found 2/,
    },
    { name: 'no certificate', cert: 'hello', reason: /no PEM CERTIFICATE block/ },
    {
      name: 'garbage inside the PEM',
      cert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      reason: /cannot parse/,
    },
    { name: 'unreadable key', cert: ca.certPem, key: 'not a key', reason: /cannot read the private key/ },
  ];
  for (const c of cases) {
    await assert.rejects(
      RootCA.fromPem(c.cert, c.key),
      (e: unknown) =>
        e instanceof InvalidRootCaError && e.code === 'INVALID_ROOT_CA' && c.reason.test(e.message),
      c.name,
    );
  }
});
