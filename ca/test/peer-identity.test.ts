import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../node-certificate.js';
import {
  peerCertificate,
  peerIdentity,
  PARSED_CERTIFICATES_KEPT,
  type CallWithAuthContext,
} from '../peer-identity.js';
import { RootCA } from '../root-ca.js';
import { CLUSTER_ID } from './support/pki-fixtures.js';

const ca = await RootCA.create();

function callWith(raw: Buffer | undefined): CallWithAuthContext {
  return {
    getAuthContext: () => ({
      sslPeerCertificate: raw === undefined ? undefined : ({ raw } as unknown as PeerCertificate),
    }),
  };
}

async function certOf(nodeId: string, role: 'worker' | 'manager'): Promise<Buffer> {
  const key = await generateNodeKeyAndCsr();
  const pem = await signNodeCertificate(
    ca,
    key.csrPem,
    { nodeId, role, clusterId: CLUSTER_ID },
    { now: new Date() },
  );
  return new X509Certificate(pem).raw;
}

test('the identity of a call comes from its certificate, the same on every call', async () => {
  const worker = await certOf('w0rker', 'worker');
  const manager = await certOf('m4nager', 'manager');
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(peerIdentity(callWith(worker)), {
      nodeId: 'w0rker',
      role: 'worker',
      clusterId: CLUSTER_ID,
    });
    assert.deepEqual(peerIdentity(callWith(manager)), {
      nodeId: 'm4nager',
      role: 'manager',
      clusterId: CLUSTER_ID,
    });
  }
  const info = peerCertificate(callWith(worker));
  assert.ok(
    info !== undefined && Object.isFrozen(info),
    'a remembered reading cannot be altered by a caller',
  );
});

test('no certificate, or bytes that are not a node certificate, give no identity (every time)', () => {
  assert.equal(peerIdentity(callWith(undefined)), undefined);
  const garbage = Buffer.from('not a certificate at all');
  assert.equal(peerIdentity(callWith(garbage)), undefined);
  assert.equal(peerIdentity(callWith(garbage)), undefined);
});

test('the memory of certificates read is bounded and still answers right past its bound', async () => {
  const kept = await certOf('k3pt', 'worker');
  assert.equal(peerIdentity(callWith(kept))?.nodeId, 'k3pt');
  // Distinct byte strings (not certificates): each is a new entry.
  for (let i = 0; i < PARSED_CERTIFICATES_KEPT + 10; i++) {
    assert.equal(peerIdentity(callWith(Buffer.from(`junk ${i}`))), undefined);
  }
  assert.equal(peerIdentity(callWith(kept))?.nodeId, 'k3pt', 'read again once forgotten');
});
