// The CA over real gRPC with mutual TLS on 127.0.0.1: Swarm's join flow end to end, refusals
// (unknown, rotated, malformed tokens; a token pinning another CA), and renewal with an
// injected clock, including promotion and a removed node.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import {
  fetchPinnedRootCa,
  joinSwarmPki,
  renewNodeCertificate,
  requestNodeCertificate,
  type NodeCredentials,
} from '../../../ca/ca-client.js';
import { NodeCaServer } from '../ca-server.js';
import { CA_PUBLIC_METHODS, newRenewRequest, nodeCaServiceDefinition } from '../../../ca/ca-service.js';
import { CaCallError, CaDigestMismatchError, InvalidJoinTokenError } from '../../../ca/errors.js';
import { generateJoinTokens } from '../../../ca/join-token.js';
import { MemoryCaBackend } from '../memory-ca-backend.js';
import {
  generateNodeKeyAndCsr,
  needsRenewal,
  parseNodeCertificate,
  verifyNodeCertificate,
} from '../../../ca/node-certificate.js';
import { RootCA } from '../../../ca/root-ca.js';
import { channelCredentials, NODE_CHANNEL_OPTIONS, serverCredentials } from '../../../ca/tls-credentials.js';
import {
  callGuarded,
  guardedImplementation,
  guardedServiceDefinition,
  startServer,
} from './support/grpc-harness.js';
import { certifiedNode, CLUSTER_ID } from '../../../ca/test/support/pki-fixtures.js';

const DAY = 24 * 3600 * 1000;
const ca = await RootCA.create();
const backend = new MemoryCaBackend({ clusterId: CLUSTER_ID, rootCA: ca });
// The CA's clock, moved by the renewal test.
let caNow = new Date();
const caServer = new NodeCaServer({ backend, clock: () => caNow });
// The manager serving the CA (and a guarded service) has its own certificate from the same root.
const self = await certifiedNode(ca, 'manager');
const creds = serverCredentials(self, { publicMethods: CA_PUBLIC_METHODS });
const server = await startServer(creds, (s) => {
  caServer.addTo(s);
  s.addService(guardedServiceDefinition, guardedImplementation);
});
after(() => server.close());
const target = server.target;

const mtls = (n: NodeCredentials): grpc.ChannelCredentials =>
  channelCredentials(
    { rootCaPem: n.rootCaPem, identity: { certPem: n.certPem, keyPem: n.keyPem } },
    { clusterId: n.clusterId },
  );

test('join flow: fetch the root without a certificate, pin it, get a worker certificate, use it over mTLS', async () => {
  const rootCaPem = await fetchPinnedRootCa(target, backend.joinTokens.worker);
  assert.equal(rootCaPem, ca.certPem);
  const key = await generateNodeKeyAndCsr();
  const node = await requestNodeCertificate(target, rootCaPem, backend.joinTokens.worker, key);
  assert.equal(node.role, 'worker');
  assert.equal(node.clusterId, CLUSTER_ID);
  assert.match(node.nodeId, /^[0-9a-z]{25}$/);
  assert.equal(node.keyPem, key.keyPem, 'the private key stayed on the node');
  assert.equal(backend.nodes.get(node.nodeId)?.role, 'worker', 'the CA recorded the new node');
  assert.equal(backend.nodes.get(node.nodeId)?.issued[0]?.reason, 'join');

  const who = await callGuarded(target, mtls(node), 'anyNode', NODE_CHANNEL_OPTIONS);
  assert.ok(who.ok, JSON.stringify(who));
  assert.deepEqual(JSON.parse(who.value), { nodeId: node.nodeId, role: 'worker', clusterId: CLUSTER_ID });
  const denied = await callGuarded(target, mtls(node), 'managerOnly', NODE_CHANNEL_OPTIONS);
  assert.ok(!denied.ok);
  assert.equal(denied.code, grpc.status.PERMISSION_DENIED);
});

test('the manager token makes a manager; node IDs are unique', async () => {
  const a = await joinSwarmPki(target, backend.joinTokens.manager);
  const b = await joinSwarmPki(target, backend.joinTokens.manager);
  assert.equal(a.role, 'manager');
  assert.notEqual(a.nodeId, b.nodeId);
  const r = await callGuarded(target, mtls(a), 'managerOnly', NODE_CHANNEL_OPTIONS);
  assert.ok(r.ok);
});

test('a token pinning another CA is refused before anything is trusted', async () => {
  const other = await RootCA.create();
  const foreignToken = generateJoinTokens(other.digest).worker;
  await assert.rejects(fetchPinnedRootCa(target, foreignToken), CaDigestMismatchError);
  await assert.rejects(joinSwarmPki(target, foreignToken), CaDigestMismatchError);
});

test('unknown, rotated and malformed tokens are refused', async () => {
  const unknown = generateJoinTokens(ca.digest).worker;
  await assert.rejects(
    joinSwarmPki(target, unknown),
    (e: unknown) =>
      e instanceof CaCallError &&
      e.grpcStatus === grpc.status.PERMISSION_DENIED &&
      /a valid join token is necessary/.test(e.message),
  );
  const old = backend.joinTokens.worker;
  backend.rotateToken('worker');
  await assert.rejects(
    joinSwarmPki(target, old),
    (e: unknown) => e instanceof CaCallError && e.grpcStatus === grpc.status.PERMISSION_DENIED,
  );
  assert.equal((await joinSwarmPki(target, backend.joinTokens.worker)).role, 'worker', 'the new token works');
  assert.equal(
    (await joinSwarmPki(target, backend.joinTokens.manager)).role,
    'manager',
    'the manager token is untouched',
  );
  // Malformed: refused on the node before dialing, and by the CA if sent anyway.
  await assert.rejects(joinSwarmPki(target, 'SWMTKN-1-abc'), InvalidJoinTokenError);
  const key = await generateNodeKeyAndCsr();
  await assert.rejects(
    requestNodeCertificate(target, ca.certPem, 'SWMTKN-1-abc', key),
    (e: unknown) =>
      e instanceof CaCallError &&
      e.grpcStatus === grpc.status.INVALID_ARGUMENT &&
      /invalid join token: /.test(e.message),
  );
  await assert.rejects(
    requestNodeCertificate(target, ca.certPem, backend.joinTokens.worker, {
      keyPem: key.keyPem,
      csrPem: 'junk',
    }),
    (e: unknown) =>
      e instanceof CaCallError &&
      e.grpcStatus === grpc.status.INVALID_ARGUMENT &&
      /certificate signing request/.test(e.message),
  );
});

test('renewal before expiry with an injected clock: same node ID, new key, fresh validity, current role', async () => {
  const t0 = new Date();
  caNow = t0;
  const node = await joinSwarmPki(target, backend.joinTokens.worker);
  const first = parseNodeCertificate(node.certPem);
  const jitter = 0.5;
  assert.equal(needsRenewal(node.certPem, new Date(t0.getTime() + 30 * DAY), jitter), false);
  const later = new Date(t0.getTime() + 60 * DAY);
  assert.equal(needsRenewal(node.certPem, later, jitter), true);

  // The CA's clock and the node's checks both run at the later time; the TLS layer still runs on
  // the real clock, where the current certificate is valid.
  caNow = later;
  backend.setRole(node.nodeId, 'manager'); // `node promote` before the renewal
  const renewed = await renewNodeCertificate(target, node, { now: () => later });
  const second = verifyNodeCertificate(renewed.certPem, ca.certPem, later);
  assert.equal(second.nodeId, node.nodeId);
  assert.equal(second.role, 'manager', 'the promotion takes effect at renewal');
  assert.notEqual(renewed.keyPem, node.keyPem, 'a new key');
  assert.ok(second.notAfter.getTime() > first.notAfter.getTime());
  assert.equal(needsRenewal(renewed.certPem, later, jitter), false);
  assert.equal(backend.nodes.get(node.nodeId)?.issued.at(-1)?.reason, 'renew');
  caNow = new Date();
});

test('a removed node cannot renew; a node without a certificate cannot either', async () => {
  caNow = new Date();
  const node = await joinSwarmPki(target, backend.joinTokens.worker);
  backend.removeNode(node.nodeId);
  await assert.rejects(
    renewNodeCertificate(target, node),
    (e: unknown) =>
      e instanceof CaCallError &&
      e.grpcStatus === grpc.status.PERMISSION_DENIED &&
      e.remoteCode === 'NODE_REMOVED' &&
      new RegExp(`node ${node.nodeId} was removed`).test(e.message),
  );
  // Calling RenewNodeCertificate with no client certificate: the credentials gate answers.
  const key = await generateNodeKeyAndCsr();
  const client = new grpc.Client(target, channelCredentials({ rootCaPem: ca.certPem }), NODE_CHANNEL_OPTIONS);
  const m = nodeCaServiceDefinition.renewNodeCertificate;
  const code = await new Promise<grpc.status>((resolve) => {
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      newRenewRequest({ csr: key.csrPem }),
      (err) => resolve(err ? err.code : grpc.status.OK),
    );
  });
  client.close();
  assert.equal(code, grpc.status.UNAUTHENTICATED);
});

test('a node from another swarm cannot renew here', async () => {
  const other = await RootCA.create();
  const stranger = await certifiedNode(other, 'manager');
  // It trusts our root (to reach the server) but its certificate is from its own CA.
  await assert.rejects(
    renewNodeCertificate(target, { ...stranger, rootCaPem: ca.certPem }),
    (e: unknown) => e instanceof CaCallError && e.grpcStatus === grpc.status.UNAUTHENTICATED,
  );
});
