// swarmkit's root rotation rules (`docker swarm ca --rotate`), the rotation's crypto, and when a
// rotation is finished (every node, Down ones included, on a certificate of the next root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../../api/objects/cluster.js';
import type { Node } from '../../../api/objects/node.js';
import { newCluster, newNode } from '../../../api/objects/test/fixtures.js';
import { parseJoinToken } from '../../../ca/join-token.js';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../../../ca/node-certificate.js';
import { RootCA } from '../../../ca/root-ca.js';
import { trustBundlePem } from '../../../ca/cluster-roots.js';
import { nodeTlsInfo } from '../../../ca/tls-info.js';
import { rootCAAfter } from '../../ca/root-rotation.js';
import { finishedRootCA, rotationProgress } from '../../ca/rotation-convergence.js';
import { planRootRotation } from '../ca-rotation-rules.js';
import { Refusal } from '../refusal.js';

const now = new Date();
const root = await RootCA.create();
const given = await RootCA.create();
const meta = { version: 3, createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString() };

function cluster(): Cluster {
  const c = newCluster('c1');
  return {
    ...c,
    meta,
    rootCA: { ...c.rootCA, caCert: root.certPem, caKey: root.keyPem!, caCertDigest: root.digest },
  };
}

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof Refusal && message.test(e.message));
}

test('ForceRotate changed: a new root is generated; unchanged: nothing', () => {
  const c = cluster();
  const spec = structuredClone(c.spec);
  assert.deepEqual(planRootRotation(c, { spec, now }), { kind: 'none' });
  spec.caConfig.forceRotate = 1;
  assert.deepEqual(planRootRotation(c, { spec, now }), { kind: 'generate' });
});

test('a given certificate and key: validated, normalized, rotated to', () => {
  const c = cluster();
  const plan = planRootRotation(c, {
    spec: c.spec,
    signingCACert: `\n${given.certPem}`,
    signingCAKey: given.keyPem!,
    now,
  });
  assert.equal(plan.kind, 'given');
  assert.equal(plan.kind === 'given' && plan.certPem, given.certPem);
});

test("refusals with Docker's (swarmkit's) messages", async () => {
  const c = cluster();
  const spec = c.spec;
  refused(
    () => planRootRotation(c, { spec, signingCAKey: given.keyPem!, now }),
    /signing CA cert must also be provided/,
  );
  refused(
    () => planRootRotation(c, { spec, signingCACert: given.certPem, now }),
    /at least one valid, reachable external CA/,
  );
  refused(
    () => planRootRotation(c, { spec, signingCACert: given.certPem, signingCAKey: root.keyPem!, now }),
    /does not match/,
  );
  refused(
    () =>
      planRootRotation(c, {
        spec,
        signingCACert: given.certPem + root.certPem,
        signingCAKey: given.keyPem!,
        now,
      }),
    /cannot contain multiple certificates/,
  );
  const shortLived = await RootCA.create({ validityMs: 30 * 24 * 3600 * 1000 });
  refused(
    () =>
      planRootRotation(c, { spec, signingCACert: shortLived.certPem, signingCAKey: shortLived.keyPem!, now }),
    /expires too soon/,
  );
  refused(
    () =>
      planRootRotation(c, { spec, signingCACert: 'x'.repeat(70 * 1024), signingCAKey: given.keyPem!, now }),
    /SigningCACert/,
  );
  const external = structuredClone(spec);
  external.caConfig.forceRotate = 1;
  external.caConfig.externalCAs = [{ protocol: 'cfssl', url: 'https://ca.example', options: {}, caCert: '' }];
  refused(() => planRootRotation(c, { spec: external, now }), /external CA is not supported/);
});

test('during a rotation: the pending root again keeps it, the current root cancels it, another replaces it', async () => {
  const c = cluster();
  const spec = structuredClone(c.spec);
  spec.caConfig.forceRotate = 1;
  const rotating = { ...c, rootCA: (await rootCAAfter(c.rootCA, { kind: 'generate' }))! };
  const pending = rotating.rootCA.rootRotation!;
  assert.equal(
    planRootRotation(rotating, {
      spec: c.spec,
      signingCACert: pending.caCert,
      signingCAKey: pending.caKey,
      now,
    }).kind,
    'none',
  );
  const cancel = planRootRotation(rotating, {
    spec: c.spec,
    signingCACert: root.certPem,
    signingCAKey: root.keyPem!,
    now,
  });
  assert.equal(cancel.kind, 'cancel');
  assert.equal((await rootCAAfter(rotating.rootCA, cancel))?.rootRotation, undefined);
  const replaced = await rootCAAfter(rotating.rootCA, { kind: 'generate' });
  assert.notEqual(replaced?.rootRotation?.caCert, pending.caCert);
  // The bridge is always signed by the current root, not by the root being replaced.
  const { X509Certificate } = await import('node:crypto');
  const bridge = new X509Certificate(replaced!.rootRotation!.crossSignedCACert);
  assert.ok(bridge.verify(new X509Certificate(root.certPem).publicKey));
});

async function nodeOn(
  id: string,
  signer: RootCA,
  trust: string,
  state: Node['status']['state'],
): Promise<Node> {
  const key = await generateNodeKeyAndCsr();
  const certPem = await signNodeCertificate(
    signer,
    key.csrPem,
    { nodeId: id, role: 'worker', clusterId: 'c1' },
    { now },
  );
  const n = newNode(id);
  const t = nodeTlsInfo({ rootCaPem: trust, certPem, keyPem: key.keyPem });
  return {
    ...n,
    meta,
    status: { ...n.status, state },
    description: {
      hostname: id,
      platform: { architecture: 'x86_64', os: 'linux' },
      resources: { nanoCPUs: 0, memoryBytes: 0, generic: [] },
      engine: { engineVersion: '', labels: {}, plugins: [] },
      tlsInfo: t,
    },
  };
}

test('a rotation finishes once every node, Down ones included, reports the next root; tokens change', async () => {
  const c = cluster();
  const rotating: Cluster = {
    ...c,
    rootCA: (await rootCAAfter(c.rootCA, { kind: 'given', certPem: given.certPem, keyPem: given.keyPem! }))!,
  };
  const both = trustBundlePem(rotating.rootCA);
  const a = await nodeOn('a', given, both, 'ready');
  const downOld = await nodeOn('b', root, root.certPem, 'down');
  assert.deepEqual(rotationProgress(rotating, [a, downOld]), { converged: 1, total: 2, waitingFor: ['b'] });
  assert.equal(finishedRootCA(rotating, [a, downOld]), undefined, 'a Down node still counts');
  const b = await nodeOn('b', given, both, 'ready');
  const next = finishedRootCA(rotating, [a, b]);
  assert.ok(next !== undefined);
  assert.equal(next.caCert, given.certPem);
  assert.equal(next.rootRotation, undefined);
  assert.equal(next.caCertDigest, given.digest);
  assert.equal(parseJoinToken(next.joinTokens.worker).caDigest, given.digest);
  assert.notEqual(next.joinTokens.worker, next.joinTokens.manager);
  assert.equal(finishedRootCA(c, [a, b]), undefined, 'nothing to finish without a rotation');
});
