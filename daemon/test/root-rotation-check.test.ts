// What a node does about the swarm's roots (renew, take the swarm's trust, or report it is
// locked out), for each step of a rotation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeCredentials } from '../../ca/ca-client.js';
import { rootBundle } from '../../ca/cluster-roots.js';
import { crossSignRoot } from '../../ca/cross-sign.js';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../../ca/node-certificate.js';
import { RootCA } from '../../ca/root-ca.js';
import { rootAction } from '../root-rotation-check.js';

const oldRoot = await RootCA.create();
const newRoot = await RootCA.create();
const cross = await crossSignRoot(oldRoot, newRoot);
const now = new Date();

async function creds(signer: RootCA, rootCaPem: string, chain = ''): Promise<NodeCredentials> {
  const key = await generateNodeKeyAndCsr();
  const identity = { nodeId: 'n1', role: 'worker' as const, clusterId: 'c1' };
  const certPem = await signNodeCertificate(signer, key.csrPem, identity, { now, intermediatesPem: chain });
  return { ...identity, rootCaPem, certPem, keyPem: key.keyPem };
}

test('no rotation and a current certificate: nothing to do', async () => {
  const c = await creds(oldRoot, oldRoot.certPem);
  assert.deepEqual(rootAction(c, { root: oldRoot.certPem }, now), { kind: 'none' });
});

test('a rotation started: a node on the old root renews', async () => {
  const c = await creds(oldRoot, oldRoot.certPem);
  assert.deepEqual(rootAction(c, { root: oldRoot.certPem, rotationRoot: newRoot.certPem }, now), {
    kind: 'renew',
  });
});

test('renewed during the rotation and trusting both roots: nothing to do until it ends', async () => {
  const both = rootBundle(oldRoot.certPem, newRoot.certPem);
  const c = await creds(newRoot, both, cross);
  assert.deepEqual(rootAction(c, { root: oldRoot.certPem, rotationRoot: newRoot.certPem }, now), {
    kind: 'none',
  });
});

test('the rotation ended: the node drops the old root', async () => {
  const c = await creds(newRoot, rootBundle(oldRoot.certPem, newRoot.certPem), cross);
  assert.deepEqual(rootAction(c, { root: newRoot.certPem }, now), {
    kind: 'trust',
    rootCaPem: newRoot.certPem,
  });
});

test('the rotation ended while the node was away: it is locked out, and says so', async () => {
  const c = await creds(oldRoot, oldRoot.certPem);
  assert.deepEqual(rootAction(c, { root: newRoot.certPem }, now), { kind: 'locked-out' });
});
