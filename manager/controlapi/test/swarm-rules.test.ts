import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateUnlockKey, managerUnlockKey } from '../../../api/unlock-key.js';
import { createLocalStore, type ClusterSpec } from '../../store/index.js';
import { newCluster } from '../../store/test/fixtures.js';
import { checkInitRequest, checkJoinRequest, currentCluster, Refusal, updateSwarm } from '../index.js';

const NO_ROTATION = { rotateManagerUnlockKey: false, freshUnlockKey: '' } as const;

test('updateSwarm: limits on the raft, dispatcher, CA and orchestration settings, and no rename', async () => {
  const s = createLocalStore();
  await s.update((tx) => void tx.create('clusters', newCluster('c1')));
  const current = s.view((tx) => tx.get('clusters', 'c1')!.spec);
  const spec = (change: (x: ClusterSpec) => void): ClusterSpec => {
    const x = structuredClone<ClusterSpec>(current);
    change(x);
    return x;
  };
  const cases: [string, ClusterSpec, RegExp][] = [
    [
      'a negative heartbeat',
      spec((x) => void (x.dispatcher.heartbeatPeriod = -1)),
      /^invalid heartbeat period: must be positive$/,
    ],
    [
      'a heartbeat of a year',
      spec((x) => void (x.dispatcher.heartbeatPeriod = 365 * 86_400_000)),
      /HeartbeatPeriod/,
    ],
    [
      'a one-second certificate',
      spec((x) => void (x.caConfig.nodeCertExpiry = 1000)),
      /InvalidArgument desc = minimum certificate expiry time is: 1h0m0s/,
    ],
    [
      'a certificate for a century',
      spec((x) => void (x.caConfig.nodeCertExpiry = 100 * 365 * 86_400_000)),
      /NodeCertExpiry/,
    ],
    ['an election tick of a million', spec((x) => void (x.raft.electionTick = 1e6)), /Raft: ElectionTick/],
    [
      'an election tick under the heartbeat tick',
      spec((x) => void ((x.raft.electionTick = 2), (x.raft.heartbeatTick = 5))),
      /ElectionTick must be greater than HeartbeatTick/,
    ],
    [
      'a zero snapshot interval',
      spec((x) => void (x.raft.snapshotInterval = 0)),
      /Raft: SnapshotInterval 0 is out of range/,
    ],
    [
      'a task history of a billion',
      spec((x) => void (x.orchestration.taskHistoryRetentionLimit = 1e9)),
      /TaskHistoryRetentionLimit/,
    ],
    ['a 100 KB label', spec((x) => void (x.labels = { a: 'x'.repeat(100_000) })), /Labels: value of "a"/],
    [
      'many external CAs',
      spec(
        (x) =>
          void (x.caConfig.externalCAs = Array.from({ length: 17 }, () => ({
            protocol: 'cfssl' as const,
            url: 'https://ca',
            options: {},
            caCert: '',
          }))),
      ),
      /ExternalCAs has 17 entries/,
    ],
    ['a rename', spec((x) => void (x.name = 'other')), /modification of cluster name is not allowed/],
  ];
  for (const [what, next, message] of cases) {
    const d = s.view((tx) => updateSwarm(tx, { version: 1, spec: next, ...NO_ROTATION }));
    assert.ok('refusal' in d, what);
    assert.equal(d.refusal.statusCode, 400, what);
    assert.match(d.refusal.message, message, what);
  }
  const ok = s.view((tx) =>
    updateSwarm(tx, {
      version: 1,
      spec: spec((x) => void (x.dispatcher.heartbeatPeriod = 2000)),
      ...NO_ROTATION,
    }),
  );
  assert.ok('writes' in ok && ok.writes.length === 1);
});

test('swarm init and join requests are bounded', () => {
  const refused = (f: () => void, message: RegExp): void =>
    assert.throws(f, (e: unknown) => e instanceof Refusal && e.statusCode === 400 && message.test(e.message));
  refused(
    () => checkInitRequest({ listenAddr: 'x'.repeat(5000), forceNewCluster: false }),
    /ListenAddr is 5000 bytes/,
  );
  refused(
    () =>
      checkInitRequest({
        listenAddr: '0.0.0.0:2377',
        forceNewCluster: false,
        spec: { taskHistoryRetentionLimit: 1e9 },
      }),
    /TaskHistoryRetentionLimit/,
  );
  refused(
    () =>
      checkInitRequest({
        listenAddr: '0.0.0.0:2377',
        forceNewCluster: false,
        spec: { nodeCertExpiryMs: 10 },
      }),
    /minimum certificate expiry time is: 1h0m0s/,
  );
  const join = { listenAddr: '0.0.0.0:2377', joinToken: 'SWMTKN-1-x' };
  refused(
    () => checkJoinRequest({ ...join, remoteAddrs: Array.from({ length: 65 }, () => '10.0.0.1:2377') }),
    /RemoteAddrs has 65 entries/,
  );
  refused(
    () => checkJoinRequest({ ...join, remoteAddrs: ['a'], joinToken: 't'.repeat(5000) }),
    /JoinToken is 5000 bytes/,
  );
  assert.doesNotThrow(() => checkJoinRequest({ ...join, remoteAddrs: ['10.0.0.1:2377'] }));
});

test('swarm update: a manager without a cluster is none', async () => {
  const s = createLocalStore();
  assert.throws(
    () => s.view(currentCluster),
    (e: unknown) =>
      e instanceof Refusal && e.statusCode === 404 && e.message === 'This node is not a swarm manager.',
  );
  const d = s.view((tx) => updateSwarm(tx, { version: 1, spec: newCluster('c0').spec, ...NO_ROTATION }));
  assert.ok('refusal' in d && d.refusal.statusCode === 404);
  await s.update((tx) => void tx.create('clusters', newCluster('c1')));
  assert.equal(s.view(currentCluster).id, 'c1');
});

test('swarm update: autolock on gets an unlock key, keeps it, rotates it on request, drops it when off', async () => {
  const s = createLocalStore();
  await s.update((tx) => void tx.create('clusters', newCluster('c1')));
  const write = async (autoLockManagers: boolean, rotate: boolean, fresh: string): Promise<string> => {
    await s.update((tx) => {
      const c = currentCluster(tx);
      const spec = { ...c.spec, encryptionConfig: { autoLockManagers } };
      const d = updateSwarm(tx, {
        version: c.meta.version,
        spec,
        rotateManagerUnlockKey: rotate,
        freshUnlockKey: fresh,
      });
      assert.ok('writes' in d);
      for (const w of d.writes)
        if (w.op === 'update' && w.table === 'clusters') tx.update('clusters', w.object);
    });
    return managerUnlockKey(s.view(currentCluster));
  };
  const k1 = generateUnlockKey();
  const k2 = generateUnlockKey();
  assert.equal(await write(false, true, k1), '', 'a rotation without autolock changes nothing');
  assert.equal(await write(true, false, k1), k1, 'autolock on: a key');
  assert.equal(await write(true, false, k2), k1, 'kept by an update that does not rotate');
  assert.equal(await write(true, true, k2), k2, 'rotated');
  assert.equal(await write(false, false, k1), '', 'autolock off: no key');
  const bad = s.view((tx) =>
    updateSwarm(tx, {
      version: currentCluster(tx).meta.version,
      spec: { ...currentCluster(tx).spec, encryptionConfig: { autoLockManagers: true } },
      rotateManagerUnlockKey: false,
      freshUnlockKey: 'SWMKEY-1-short',
    }),
  );
  assert.ok('refusal' in bad && bad.refusal.statusCode === 400);
});
