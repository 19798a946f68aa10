// Real gRPC over mutual TLS on 127.0.0.1 (port 0): roles enforced by requireRole, clients without
// a certificate (or with a foreign or expired one) kept out, servers checked to be managers.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { RootCA } from '../../../ca/root-ca.js';
import {
  bootstrapChannelCredentials,
  channelCredentials,
  NODE_CHANNEL_OPTIONS,
  serverCredentials,
  type NodeTlsMaterial,
} from '../../../ca/tls-credentials.js';
import type { NodeCredentials } from '../../../ca/ca-client.js';
import {
  callGuarded,
  guardedImplementation,
  guardedServiceDefinition,
  startServer,
  type RunningServer,
} from './support/grpc-harness.js';
import { certifiedNode, CLUSTER_ID } from '../../../ca/test/support/pki-fixtures.js';

const DAY = 24 * 3600 * 1000;
const ca = await RootCA.create();
const foreignCa = await RootCA.create();
const managerServer = await certifiedNode(ca, 'manager');
const manager = await certifiedNode(ca, 'manager');
const worker = await certifiedNode(ca, 'worker');
const foreigner = await certifiedNode(foreignCa, 'manager');
const expired = await certifiedNode(ca, 'manager', {
  now: new Date(Date.now() - 100 * DAY),
  expiryMs: 90 * DAY,
});

const servers: RunningServer[] = [];
after(() => servers.forEach((s) => s.close()));

async function serve(material: NodeTlsMaterial, publicMethods?: readonly string[]): Promise<RunningServer> {
  const creds = serverCredentials(material, publicMethods ? { publicMethods } : {});
  const s = await startServer(creds, (srv) =>
    srv.addService(guardedServiceDefinition, guardedImplementation),
  );
  servers.push(s);
  return s;
}

const asClient = (n: NodeCredentials, rootCaPem = n.rootCaPem): grpc.ChannelCredentials =>
  channelCredentials(
    { rootCaPem, identity: { certPem: n.certPem, keyPem: n.keyPem } },
    { clusterId: CLUSTER_ID },
  );

const strict = await serve(managerServer);
const mixed = await serve(managerServer, [guardedServiceDefinition.whoAmI.path]);

test('a manager certificate may call a manager-only method; the handler sees its identity', async () => {
  for (const s of [strict, mixed]) {
    const r = await callGuarded(s.target, asClient(manager), 'managerOnly', NODE_CHANNEL_OPTIONS);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(JSON.parse(r.value), { nodeId: manager.nodeId, role: 'manager', clusterId: CLUSTER_ID });
  }
});

test('a worker certificate gets PERMISSION_DENIED from a manager-only method, and passes an any-node one', async () => {
  for (const s of [strict, mixed]) {
    const denied = await callGuarded(s.target, asClient(worker), 'managerOnly', NODE_CHANNEL_OPTIONS);
    assert.ok(!denied.ok);
    assert.equal(denied.code, grpc.status.PERMISSION_DENIED);
    assert.match(denied.details, new RegExp(`node ${worker.nodeId} is a worker`));
    const allowed = await callGuarded(s.target, asClient(worker), 'anyNode', NODE_CHANNEL_OPTIONS);
    assert.ok(allowed.ok);
    assert.equal((JSON.parse(allowed.value) as { role: string }).role, 'worker');
  }
});

test('peerIdentity reads {nodeId, role, clusterId} from the peer certificate', async () => {
  const r = await callGuarded(mixed.target, asClient(worker), 'whoAmI', NODE_CHANNEL_OPTIONS);
  assert.ok(r.ok);
  assert.deepEqual(JSON.parse(r.value), { nodeId: worker.nodeId, role: 'worker', clusterId: CLUSTER_ID });
});

test('a client without a certificate cannot call guarded methods', async () => {
  const anonymous = channelCredentials({ rootCaPem: ca.certPem });
  // Strict server: the TLS handshake itself refuses the client.
  const r1 = await callGuarded(strict.target, anonymous, 'anyNode', NODE_CHANNEL_OPTIONS);
  assert.ok(!r1.ok);
  assert.equal(r1.code, grpc.status.UNAVAILABLE);
  // Mixed server: it may call the public method (and has no identity there)...
  const pub = await callGuarded(mixed.target, anonymous, 'whoAmI', NODE_CHANNEL_OPTIONS);
  assert.ok(pub.ok);
  assert.equal(pub.value, 'null');
  // ...but every other method answers UNAUTHENTICATED before its handler runs.
  for (const m of ['anyNode', 'managerOnly'] as const) {
    const r = await callGuarded(mixed.target, anonymous, m, NODE_CHANNEL_OPTIONS);
    assert.ok(!r.ok);
    assert.equal(r.code, grpc.status.UNAUTHENTICATED);
    assert.match(r.details, /needs a node certificate signed by the swarm's root CA/);
  }
});

test('a certificate from another CA, or an expired one, counts as no certificate', async () => {
  for (const [name, client] of [
    ['foreign', foreigner],
    ['expired', expired],
  ] as const) {
    const creds = asClient(client, ca.certPem);
    const r1 = await callGuarded(strict.target, creds, 'anyNode', NODE_CHANNEL_OPTIONS);
    assert.ok(!r1.ok, name);
    assert.equal(r1.code, grpc.status.UNAVAILABLE, name);
    const r2 = await callGuarded(mixed.target, creds, 'managerOnly', NODE_CHANNEL_OPTIONS);
    assert.ok(!r2.ok, name);
    assert.equal(r2.code, grpc.status.UNAUTHENTICATED, name);
    const who = await callGuarded(mixed.target, creds, 'whoAmI', NODE_CHANNEL_OPTIONS);
    assert.ok(who.ok);
    assert.equal(who.value, 'null', `${name}: an unverified certificate yields no identity`);
  }
});

test('the client refuses a server that is a worker, from another CA, or of another cluster', async () => {
  const workerServer = await serve(worker);
  const foreignServer = await serve(foreigner);
  const otherCluster = await certifiedNode(ca, 'manager', { clusterId: 'another0cluster0000000000' });
  const otherClusterServer = await serve(otherCluster);
  for (const s of [workerServer, foreignServer, otherClusterServer]) {
    const r = await callGuarded(s.target, asClient(manager), 'whoAmI', NODE_CHANNEL_OPTIONS);
    assert.ok(!r.ok);
    assert.equal(r.code, grpc.status.UNAVAILABLE);
  }
  // Without a cluster to expect, a manager of this CA is enough.
  const anyCluster = channelCredentials({ rootCaPem: ca.certPem, identity: manager });
  assert.ok((await callGuarded(otherClusterServer.target, anyCluster, 'whoAmI', NODE_CHANNEL_OPTIONS)).ok);
  // The bootstrap credentials verify nothing: they reach a foreign server's public method.
  const foreignMixed = await serve(foreigner, [guardedServiceDefinition.whoAmI.path]);
  assert.ok(
    (await callGuarded(foreignMixed.target, bootstrapChannelCredentials(), 'whoAmI', NODE_CHANNEL_OPTIONS))
      .ok,
  );
});

test('the server certificate can be swapped while serving (after a renewal)', async () => {
  const creds = serverCredentials(managerServer);
  const s = await startServer(creds, (srv) =>
    srv.addService(guardedServiceDefinition, guardedImplementation),
  );
  servers.push(s);
  assert.ok((await callGuarded(s.target, asClient(manager), 'anyNode', NODE_CHANNEL_OPTIONS)).ok);
  // Swap in a worker certificate: new connections now see a server that is not a manager.
  creds.update(worker);
  const r = await callGuarded(s.target, asClient(manager), 'anyNode', NODE_CHANNEL_OPTIONS);
  assert.ok(!r.ok);
  assert.equal(r.code, grpc.status.UNAVAILABLE);
  creds.update(managerServer);
  assert.ok((await callGuarded(s.target, asClient(manager), 'anyNode', NODE_CHANNEL_OPTIONS)).ok);
});
