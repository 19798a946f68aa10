// Root CA rotation on a three-host lab cluster, with the unmodified docker CLI: one worker's
// shoald is stopped, `docker swarm ca --rotate` (without --detach) starts the rotation and shows
// progress; the online nodes move to certificates of the new root while the rotation waits for
// the offline worker (it counts every listed node, as Swarm does: ca/rotation-convergence.ts).
// The worker comes back, connects with its old certificate (the old root is still trusted),
// renews from the new root, and the command returns with the new root; the join tokens changed.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';

let s: ShoalLab;

before(async () => {
  s = await ShoalLab.create('ca-rotation', 3);
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  for (const h of [1, 2]) await ok(s.docker(h, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('three ready nodes', async () => {
    const ready = rows(await ok(s.docker(0, ['node', 'ls']))).filter((r) => r.includes('Ready'));
    return ready.length === 3 ? ready : undefined;
  });
});

after(async () => {
  await s?.destroy();
});

interface TlsInfo {
  TrustRoot: string;
  CertIssuerSubject: string;
  CertIssuerPublicKey: string;
}

async function nodeIssuers(): Promise<Map<string, TlsInfo>> {
  const ids = (await ok(s.docker(0, ['node', 'ls', '-q']))).trim().split('\n');
  const nodes = JSON.parse(await ok(s.docker(0, ['node', 'inspect', ...ids]))) as {
    Description: { Hostname: string; TLSInfo: TlsInfo };
  }[];
  return new Map(nodes.map((n) => [n.Description.Hostname, n.Description.TLSInfo]));
}

test('docker swarm ca --rotate with a worker offline: completes once it is back, on the new root', async () => {
  const oldRoot = (await ok(s.docker(0, ['swarm', 'ca']))).trim();
  assert.match(oldRoot, /^-----BEGIN CERTIFICATE-----/);
  const tokenBefore = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();

  s.killDaemon(2, 'SIGTERM');
  const rotate = s.docker(0, ['swarm', 'ca', '--rotate']);

  // The online nodes move to the new root; the rotation waits for the offline worker.
  const issuers = await eventually(
    'the manager and the online worker on certificates of the new root',
    async () => {
      const info = JSON.parse(await ok(s.docker(0, ['info', '--format', '{{json .Swarm.Cluster}}']))) as {
        TLSInfo: TlsInfo;
        RootRotationInProgress: boolean;
      };
      if (!info.RootRotationInProgress) return undefined;
      const byHost = await nodeIssuers();
      const onNew = [...byHost.values()].filter(
        (t) => t.CertIssuerPublicKey === info.TLSInfo.CertIssuerPublicKey,
      ).length;
      return onNew === 2 ? { info, byHost } : undefined;
    },
    45_000,
  );
  assert.notEqual(issuers.info.TLSInfo.TrustRoot.trim(), oldRoot, 'the swarm shows the new root');

  // The offline worker comes back with its old certificate, renews, and the command returns.
  await s.startDaemon(2);
  const done = await rotate;
  assert.equal(done.code, 0, done.stderr);
  const newRoot = (await ok(s.docker(0, ['swarm', 'ca']))).trim();
  assert.notEqual(newRoot, oldRoot);
  assert.ok(done.stdout.trim().endsWith(newRoot), 'the command prints the new root at the end');
  // Non-TTY, the CLI prints the progress as its status lines (the n/m bars need a terminal).
  assert.match(done.stdout, /desired root digest: sha256:[0-9a-f]{64}/);

  const cluster = JSON.parse(await ok(s.docker(0, ['info', '--format', '{{json .Swarm.Cluster}}']))) as {
    TLSInfo: TlsInfo;
    RootRotationInProgress: boolean;
  };
  assert.equal(cluster.RootRotationInProgress, false);
  for (const [host, tls] of await nodeIssuers()) {
    assert.equal(tls.CertIssuerPublicKey, cluster.TLSInfo.CertIssuerPublicKey, `${host} on the new root`);
    assert.equal(tls.TrustRoot.trim(), newRoot, `${host} trusts the new root alone`);
  }
  const tokenAfter = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  assert.notEqual(tokenAfter, tokenBefore, 'join tokens pin the new root');

  // The cluster still works: all three nodes ready, a write succeeds.
  await eventually('three ready nodes after the rotation', async () => {
    const ready = rows(await ok(s.docker(0, ['node', 'ls']))).filter((r) => r.includes('Ready'));
    return ready.length === 3 ? ready : undefined;
  });
  await ok(s.docker(0, ['network', 'create', '-d', 'overlay', 'after-rotation']));
});
