// The PKI of a root CA rotation: the cross-signed intermediate, certificates signed by the next
// root's key and sent with it, trust bundles of two roots, the issuer a node reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { pemBlocks } from '../pem.js';
import { crossSignRoot } from '../cross-sign.js';
import { rootBundle } from '../cluster-roots.js';
import { UntrustedCertificateError } from '../errors.js';
import { generateNodeKeyAndCsr, signNodeCertificate, verifyNodeCertificate } from '../node-certificate.js';
import { RootCA } from '../root-ca.js';
import { issuerOfCa, issuerOfCertificate, nodeTlsInfo, sameIssuer } from '../tls-info.js';

const CLUSTER = 'cluster0000000000000000001';
const oldRoot = await RootCA.create();
const newRoot = await RootCA.create();
const cross = await crossSignRoot(oldRoot, newRoot);

async function issue(signer: RootCA, intermediatesPem = ''): Promise<{ certPem: string; keyPem: string }> {
  const key = await generateNodeKeyAndCsr();
  const certPem = await signNodeCertificate(
    signer,
    key.csrPem,
    { nodeId: 'node1', role: 'worker', clusterId: CLUSTER },
    { now: new Date(), intermediatesPem },
  );
  return { certPem, keyPem: key.keyPem };
}

test("the cross-signed intermediate: the next root's subject and key, issued and signed by the current root", () => {
  const mid = new X509Certificate(cross);
  const oldCert = new X509Certificate(oldRoot.certPem);
  const newCert = new X509Certificate(newRoot.certPem);
  assert.equal(mid.ca, true);
  assert.equal(mid.subject, newCert.subject);
  assert.ok(mid.publicKey.equals(newCert.publicKey), 'it carries the next root key');
  assert.ok(mid.checkIssued(oldCert) && mid.verify(oldCert.publicKey), 'signed by the current root');
  assert.equal(mid.verify(newCert.publicKey), false, 'not self-signed by the next root');
});

test('a certificate signed by the next key chains through the intermediate to the current root (node:crypto)', async () => {
  const { certPem } = await issue(newRoot, cross);
  const blocks = pemBlocks(certPem, 'CERTIFICATE');
  assert.equal(blocks.length, 2, 'leaf then intermediate');
  const leaf = new X509Certificate(blocks[0]!);
  const mid = new X509Certificate(blocks[1]!);
  const oldCert = new X509Certificate(oldRoot.certPem);
  const newCert = new X509Certificate(newRoot.certPem);
  assert.ok(leaf.verify(mid.publicKey) && leaf.checkIssued(mid), 'leaf <- intermediate');
  assert.ok(mid.verify(oldCert.publicKey) && mid.checkIssued(oldCert), 'intermediate <- current root');
  assert.ok(leaf.verify(newCert.publicKey), 'and directly by the next root');
  assert.equal(leaf.verify(oldCert.publicKey), false, 'but not by the current root key itself');
});

test('verifyNodeCertificate: old-root trust accepts a next-root certificate only with its intermediate', async () => {
  const now = new Date();
  const withChain = await issue(newRoot, cross);
  const bare = await issue(newRoot);
  assert.equal(verifyNodeCertificate(withChain.certPem, oldRoot.certPem, now).nodeId, 'node1');
  assert.equal(verifyNodeCertificate(withChain.certPem, newRoot.certPem, now).nodeId, 'node1');
  assert.throws(() => verifyNodeCertificate(bare.certPem, oldRoot.certPem, now), UntrustedCertificateError);
  // The intermediate may come beside the leaf (as a TLS peer's chain does).
  const [leafDer, midDer] = pemBlocks(withChain.certPem, 'CERTIFICATE');
  assert.equal(verifyNodeCertificate(leafDer!, oldRoot.certPem, now, [midDer!]).nodeId, 'node1');
  // A bundle of both roots accepts certificates of either.
  const bundle = rootBundle(oldRoot.certPem, newRoot.certPem);
  const old = await issue(oldRoot);
  assert.equal(verifyNodeCertificate(old.certPem, bundle, now).nodeId, 'node1');
  assert.equal(verifyNodeCertificate(bare.certPem, bundle, now).nodeId, 'node1');
  // Once the rotation is over, the current root alone no longer accepts old certificates.
  assert.throws(() => verifyNodeCertificate(old.certPem, newRoot.certPem, now), UntrustedCertificateError);
});

test('an intermediate signed by an unrelated key does not make a path', async () => {
  const stranger = await RootCA.create();
  const forged = await crossSignRoot(stranger, newRoot);
  const { certPem } = await issue(newRoot, forged);
  assert.throws(() => verifyNodeCertificate(certPem, oldRoot.certPem, new Date()), UntrustedCertificateError);
});

test('the issuer a node reports is the next root once it renewed, whatever it trusts', async () => {
  const renewed = await issue(newRoot, cross);
  const old = await issue(oldRoot);
  const next = issuerOfCa(newRoot.certPem);
  assert.ok(sameIssuer(issuerOfCertificate(renewed.certPem, oldRoot.certPem), next));
  assert.ok(sameIssuer(issuerOfCertificate(renewed.certPem, newRoot.certPem), next));
  assert.ok(!sameIssuer(issuerOfCertificate(old.certPem, oldRoot.certPem), next));
  // Same subject ("swarm-ca") for both roots: only the key tells them apart.
  assert.equal(issuerOfCa(oldRoot.certPem).subject, next.subject);
  const info = nodeTlsInfo({ rootCaPem: newRoot.certPem, ...renewed });
  assert.equal(info.trustRoot, newRoot.certPem);
  assert.equal(info.certIssuerPublicKey, next.publicKey);
});
