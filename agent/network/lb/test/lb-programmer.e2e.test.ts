// The programmer against the real kernel: a scratch network namespace, real nft. Needs root.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readSandboxTable, readNodeTable } from '../nft-readback.js';
import { NftError } from '../errors.js';
import { LbProgrammer } from '../lb-programmer.js';
import type { SandboxLbSpec } from '../lb-spec.js';
import { Nft } from '../nft.js';
import { LB_TABLE, MESH_TABLE } from '../nft-ruleset.js';

const NS = `shoal-lbt-${process.pid.toString(36)}`;
const PATH = `/run/netns/${NS}`;
const nft = new Nft();

before(() => {
  execFileSync('ip', ['netns', 'add', NS]);
});
after(() => {
  execFileSync('ip', ['netns', 'delete', NS]);
});

const spec = (web: string[]): SandboxLbSpec => ({
  services: [
    { vip: '10.0.0.2', backends: web },
    { vip: '10.0.0.3', backends: ['10.0.0.20'] },
    { vip: '10.0.0.4', backends: [] },
  ],
  dns: { address: '127.0.0.11', udpPort: 41000, tcpPort: 41001 },
});

async function kernelSandbox(): Promise<ReturnType<typeof readSandboxTable>> {
  const items = await nft.listTable(PATH, LB_TABLE);
  assert.ok(items, 'the table exists');
  return readSandboxTable(items);
}

test('a sandbox is programmed whole, then by diffs; a restarted programmer reads the kernel back', async () => {
  const p = new LbProgrammer(nft);
  assert.equal((await p.applySandbox(PATH, spec(['10.0.0.10', '10.0.0.11']))).mode, 'full');
  assert.deepEqual([...(await kernelSandbox()).services.get('10.0.0.2')!], ['10.0.0.10', '10.0.0.11']);
  assert.deepEqual(await p.applySandbox(PATH, spec(['10.0.0.11', '10.0.0.10'])), {
    mode: 'unchanged',
    commands: 0,
  });

  const restarted = new LbProgrammer(nft);
  assert.deepEqual(await restarted.applySandbox(PATH, spec(['10.0.0.10', '10.0.0.11'])), {
    mode: 'unchanged',
    commands: 0,
  });
  const scaled = await restarted.applySandbox(
    PATH,
    spec(['10.0.0.10', '10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14']),
  );
  assert.deepEqual(scaled, { mode: 'diff', commands: 3 });
  const k = await kernelSandbox();
  assert.deepEqual(k.services.get('10.0.0.2'), [
    '10.0.0.10',
    '10.0.0.11',
    '10.0.0.12',
    '10.0.0.13',
    '10.0.0.14',
  ]);
  assert.deepEqual(k.services.get('10.0.0.4'), []);
  assert.deepEqual(k.dns, { address: '127.0.0.11', udpPort: 41000, tcpPort: 41001 });

  // Someone removed the table behind the programmer's back: the diff is refused, the table rebuilt.
  await nft.deleteTable(PATH, LB_TABLE);
  assert.equal((await restarted.applySandbox(PATH, spec(['10.0.0.10']))).mode, 'full');
  assert.deepEqual((await kernelSandbox()).services.get('10.0.0.2'), ['10.0.0.10']);

  await restarted.removeSandbox(PATH);
  await restarted.removeSandbox(PATH);
  assert.equal(await nft.listTable(PATH, LB_TABLE), undefined);
});

test('a node table: mesh ports, forwarding turned on, removed on leave', async () => {
  const p = new LbProgrammer(nft);
  const node = {
    ingressSubnet: '10.255.0.0/16',
    ports: [
      { protocol: 'tcp', publishedPort: 8080, targetPort: 80, mode: 'ingress', backends: ['10.255.0.5'] },
      { protocol: 'udp', publishedPort: 5353, targetPort: 53, mode: 'ingress', backends: [] },
    ],
  } as const;
  assert.equal((await p.applyNode(PATH, node)).mode, 'full');
  const fwd = execFileSync('nsenter', [`--net=${PATH}`, 'cat', '/proc/sys/net/ipv4/ip_forward'], {
    encoding: 'utf8',
  });
  assert.equal(fwd.trim(), '1');
  const items = await nft.listTable(PATH, MESH_TABLE);
  assert.ok(items);
  const back = readNodeTable(items);
  assert.deepEqual(back.ports.get('tcp/8080')?.backends, ['10.255.0.5']);
  assert.equal(back.ingressSubnet, '10.255.0.0/16');
  assert.deepEqual(await new LbProgrammer(nft).applyNode(PATH, node), { mode: 'unchanged', commands: 0 });
  await p.removeNode(PATH);
  assert.deepEqual(
    (await nft.tables(PATH)).filter((t) => t === MESH_TABLE),
    [],
  );
});

test('a large table goes through a file and reads back whole', async () => {
  const p = new LbProgrammer(nft);
  const big: SandboxLbSpec = {
    services: Array.from({ length: 400 }, (_, i) => ({
      vip: `10.3.${i >> 8}.${i & 255}`,
      backends: ['10.4.0.1', '10.4.0.2', '10.4.0.3'],
    })),
  };
  assert.equal((await p.applySandbox(PATH, big)).mode, 'full');
  assert.equal((await kernelSandbox()).services.size, 400);
  await p.removeSandbox(PATH);
});

test("nft's refusal surfaces as an NftError carrying nft's message", async () => {
  await assert.rejects(
    nft.apply(PATH, [{ delete: { table: { family: 'ip', name: 'no_such_table' } } }]),
    (e: unknown) =>
      e instanceof NftError && e.code === 'NFT_FAILED' && /No such file or directory/.test(e.nftMessage),
  );
});
