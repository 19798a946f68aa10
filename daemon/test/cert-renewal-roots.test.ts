// Following a root CA rotation from the agent session, with a manual clock and real CAs: the
// roots are fetched at start, then only when the session names other roots than the ones the
// node settled on (and a second after each step, until it is in line), every few seconds while
// such a fetch fails, and otherwise only at the slow poll.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../api/clock/manual-clock.js';
import type { NodeCredentials, SwarmRoots } from '../../ca/ca-client.js';
import { rootBundle, rootsDigest } from '../../ca/cluster-roots.js';
import { crossSignRoot } from '../../ca/cross-sign.js';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../../ca/node-certificate.js';
import { RootCA } from '../../ca/root-ca.js';
import { CertRenewal } from '../cert-renewal.js';

const DAY = 24 * 3600 * 1000;
const MINUTE = 60_000;

async function issue(signer: RootCA, rootCaPem: string, now: Date, chain = ''): Promise<NodeCredentials> {
  const key = await generateNodeKeyAndCsr();
  const identity = { nodeId: 'n1', role: 'worker' as const, clusterId: 'c1' };
  const certPem = await signNodeCertificate(signer, key.csrPem, identity, {
    now,
    expiryMs: 90 * DAY,
    intermediatesPem: chain,
  });
  return { ...identity, rootCaPem, certPem, keyPem: key.keyPem };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}

test('roots are fetched when the session names new ones, followed step by step, not polled', async () => {
  const clock = new ManualClock();
  const now = new Date(clock.now());
  const oldRoot = await RootCA.create();
  const newRoot = await RootCA.create();
  const cross = await crossSignRoot(oldRoot, newRoot);
  let creds = await issue(oldRoot, oldRoot.certPem, now);
  // Issued ahead: the renewal then resolves at once, so each step settles without real time.
  const renewed = await issue(newRoot, rootBundle(oldRoot.certPem, newRoot.certPem), now, cross);
  let roots: SwarmRoots = { root: oldRoot.certPem };
  let fetches = 0;
  let renewals = 0;
  let failing = false;
  const renewal = new CertRenewal({
    current: () => creds,
    target: () => '127.0.0.1:2377',
    renew: () => {
      renewals++;
      return Promise.resolve(renewed);
    },
    onRenewed: (renewed) => {
      creds = renewed;
      return Promise.resolve();
    },
    fetchRoots: () => {
      fetches++;
      return failing ? Promise.reject(new Error('unreachable')) : Promise.resolve(roots);
    },
    announceJitterMs: 0,
    clock,
    jitter: 0.5,
    logger: pino({ level: 'silent' }),
  });
  const step = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await settle();
  };

  // At start: one look, in line with the swarm.
  renewal.start();
  await step(0);
  assert.equal(fetches, 1);
  // The session names the same roots: nothing is fetched, for minutes.
  renewal.rootsAnnounced(rootsDigest(oldRoot.certPem, undefined));
  await step(4 * MINUTE);
  assert.equal(fetches, 1, 'no polling while the session names the settled roots');

  // A rotation starts: fetched at once, renewed from the next root, checked once more (in line).
  roots = { root: oldRoot.certPem, rotationRoot: newRoot.certPem };
  renewal.rootsAnnounced(rootsDigest(roots.root, roots.rotationRoot));
  await step(0);
  assert.equal(fetches, 2);
  assert.equal(renewals, 1);
  await step(1_000);
  assert.equal(fetches, 3, 'a follow-up look after the step');
  assert.equal(creds.rootCaPem, rootBundle(oldRoot.certPem, newRoot.certPem));
  renewal.rootsAnnounced(rootsDigest(roots.root, roots.rotationRoot));
  await step(30_000);
  assert.equal(fetches, 3, 'settled on the rotation: nothing more to fetch');

  // It finishes, but the first fetch fails: retried every 5 s until it works, then the node
  // trusts the new root alone.
  roots = { root: newRoot.certPem };
  failing = true;
  renewal.rootsAnnounced(rootsDigest(newRoot.certPem, undefined));
  await step(0);
  assert.equal(fetches, 4);
  await step(5_000);
  assert.equal(fetches, 5, 'retried while the announced roots are not settled');
  failing = false;
  await step(5_000);
  assert.equal(fetches, 6);
  assert.equal(creds.rootCaPem, newRoot.certPem, 'trusts the new root alone');
  await step(1_000);
  assert.equal(fetches, 7, 'the follow-up finds the node in line');
  await step(2 * MINUTE);
  assert.equal(fetches, 7);

  // Without announcements (a session that does not name the roots) the slow poll still looks.
  await step(5 * MINUTE);
  assert.equal(fetches, 8, 'the slow poll');
  renewal.stop();
  await step(10 * MINUTE);
  assert.equal(fetches, 8, 'stopped');
});

test('a session that does not name the roots changes nothing', async () => {
  const clock = new ManualClock();
  const ca = await RootCA.create();
  const creds = await issue(ca, ca.certPem, new Date(clock.now()));
  let fetches = 0;
  const renewal = new CertRenewal({
    current: () => creds,
    target: () => '127.0.0.1:2377',
    renew: () => Promise.reject(new Error('not expected')),
    onRenewed: () => Promise.resolve(),
    fetchRoots: () => {
      fetches++;
      return Promise.resolve({ root: ca.certPem });
    },
    announceJitterMs: 0,
    clock,
    jitter: 0.5,
    logger: pino({ level: 'silent' }),
  });
  renewal.start();
  clock.advance(0);
  await settle();
  renewal.rootsAnnounced(undefined);
  clock.advance(MINUTE);
  await settle();
  assert.equal(fetches, 1);
  renewal.stop();
});
