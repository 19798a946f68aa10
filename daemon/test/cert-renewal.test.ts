// Certificate renewal with a manual clock and a real CA: nothing before the renewal point, a
// renewal at it, a retry after a failure, and the next renewal scheduled from the new cert.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { NodeCredentials } from '../../ca/ca-client.js';
import {
  generateNodeKeyAndCsr,
  parseNodeCertificate,
  signNodeCertificate,
} from '../../ca/node-certificate.js';
import { RootCA } from '../../ca/root-ca.js';
import { ManualClock } from '../../api/clock/manual-clock.js';
import { CertRenewal } from '../cert-renewal.js';

const HOUR = 3600 * 1000;

async function issue(ca: RootCA, now: Date): Promise<NodeCredentials> {
  const key = await generateNodeKeyAndCsr();
  const identity = {
    nodeId: 'n1xxxxxxxxxxxxxxxxxxxxxxx',
    role: 'worker' as const,
    clusterId: 'c1xxxxxxxxxxxxxxxxxxxxxxx',
  };
  const certPem = await signNodeCertificate(ca, key.csrPem, identity, { now, expiryMs: 2 * HOUR });
  return { ...identity, rootCaPem: ca.certPem, certPem, keyPem: key.keyPem };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

test('renews at the jittered point of the lifetime, retries after a failure, then reschedules', async () => {
  const clock = new ManualClock(Date.UTC(2030, 0, 1));
  const ca = await RootCA.create({ now: new Date(clock.now()) });
  let creds = await issue(ca, new Date(clock.now()));
  const info = parseNodeCertificate(creds.certPem);
  // Lifetime includes the CA's back-dating; with jitter 0 renewal is at half of it.
  const due = info.notBefore.getTime() + (info.notAfter.getTime() - info.notBefore.getTime()) / 2;
  let calls = 0;
  let failNext = true;
  let renewedOnce: () => void = () => {};
  const renewedPromise = new Promise<void>((r) => (renewedOnce = r));
  const renewal = new CertRenewal({
    current: () => creds,
    target: () => '10.0.0.1:2377',
    renew: async (target, current) => {
      calls++;
      assert.equal(target, '10.0.0.1:2377');
      assert.equal(current, creds);
      if (failNext) {
        failNext = false;
        throw new Error('manager unreachable');
      }
      return issue(ca, new Date(clock.now()));
    },
    onRenewed: (renewed) => {
      creds = renewed;
      renewedOnce();
      return Promise.resolve();
    },
    logger: pino({ level: 'silent' }),
    clock,
    jitter: 0,
  });
  renewal.start();
  clock.advance(due - clock.now() - 60_000);
  await settle();
  assert.equal(calls, 0, 'nothing before the renewal point');
  clock.advance(60_000);
  await settle();
  assert.equal(calls, 1, 'first attempt at the renewal point');
  const old = creds.certPem;
  clock.advance(30_000);
  await settle();
  assert.equal(calls, 2, 'retried 30 s after the failure');
  await renewedPromise; // signing the new certificate is real (async) crypto
  await settle();
  assert.notEqual(creds.certPem, old, 'renewed credentials are in use');
  const next = renewal.dueAt()!.getTime();
  assert.ok(next > clock.now(), 'the next renewal is scheduled from the new certificate');
  renewal.stop();
});
