// The swarm's roots ride the agent session: a real AgentSession against a real dispatcher is
// told the digest of the roots the cluster trusts, and told again, without a new session, when
// a root CA rotation starts and when it finishes (nodes fetch roots only then, instead of
// polling every few seconds).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionInfo } from '../../agent/session/index.js';
import { rootsDigest } from '../../ca/cluster-roots.js';
import { clusterStore, startAgent, TestManager, waitFor } from './harness.js';

const OLD = '-----BEGIN CERTIFICATE-----\nold\n-----END CERTIFICATE-----\n';
const NEXT = '-----BEGIN CERTIFICATE-----\nnext\n-----END CERTIFICATE-----\n';

test('the session names the swarm roots and names them again as a rotation starts and ends', async (t) => {
  const store = await clusterStore(5000, ['n1']);
  await store.update((tx) => {
    const c = tx.list('clusters')[0]!;
    tx.update('clusters', { ...c, rootCA: { ...c.rootCA, caCert: OLD } });
  });
  const m = await TestManager.start(store);
  m.lead();
  const infos: SessionInfo[] = [];
  const { agent } = startAgent('n1', [m.addr], { onSession: (i) => i && infos.push(i) });
  t.after(async () => {
    await agent.stop();
    await m.shutdown();
  });
  await waitFor(() => infos.length > 0, 'the first session message');
  const sessionId = infos[0]!.sessionId;
  assert.equal(infos[0]!.rootsDigest, rootsDigest(OLD, undefined));

  // `swarm ca --rotate`: the next root is recorded; the node hears of it on the same session.
  await store.update((tx) => {
    const c = tx.list('clusters')[0]!;
    tx.update('clusters', {
      ...c,
      rootCA: { ...c.rootCA, rootRotation: { caCert: NEXT, caKey: 'k', crossSignedCACert: 'x' } },
    });
  });
  const started = await waitFor(
    () => infos.find((i) => i.rootsDigest === rootsDigest(OLD, NEXT)),
    'the rotation announced',
  );
  assert.equal(started.sessionId, sessionId);

  // A cluster change that leaves the roots alone is not announced.
  const seen = infos.length;
  await store.update((tx) => {
    const c = tx.list('clusters')[0]!;
    tx.update('clusters', { ...c, spec: { ...c.spec, labels: { touched: 'yes' } } });
  });
  // Settle: a change that is announced arrives within milliseconds on loopback.
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(infos.length, seen);

  // The rotation finishes: the next root is the root, alone.
  await store.update((tx) => {
    const c = tx.list('clusters')[0]!;
    const { rootRotation: _done, ...rest } = c.rootCA;
    tx.update('clusters', { ...c, rootCA: { ...rest, caCert: NEXT } });
  });
  const finished = await waitFor(
    () => infos.find((i) => i.rootsDigest === rootsDigest(NEXT, undefined)),
    'the finished rotation announced',
  );
  assert.equal(finished.sessionId, sessionId);
  assert.notEqual(rootsDigest(NEXT, undefined), rootsDigest(OLD, NEXT));
});
