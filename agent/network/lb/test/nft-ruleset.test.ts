// Golden JSON for every table shape nft-ruleset.ts writes: the exact `nft -j` transaction for a
// sandbox (VIPs with backends, without, DNS redirect) and a node (mesh ports, empty ingress port,
// host-mode port, masquerade). Each case was checked against nft 1.0.6 and the kernel.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeNodeSpec, normalizeSandboxSpec } from '../lb-spec.js';
import { nodeRuleset, sandboxRuleset, deleteTable, vipChain, portChain } from '../nft-ruleset.js';

const ip = { family: 'ip' } as const;
const lb = { ...ip, table: 'shoal_lb' } as const;
const mesh = { ...ip, table: 'shoal_mesh' } as const;
const daddr = { payload: { protocol: 'ip', field: 'daddr' } };
const l4 = { meta: { key: 'l4proto' } };
const ping = (chain: string): unknown => ({
  add: {
    rule: {
      ...lb,
      chain,
      expr: [
        {
          match: { op: '==', left: { payload: { protocol: 'icmp', field: 'type' } }, right: 'echo-request' },
        },
        { dnat: { addr: '127.0.0.1' } },
      ],
    },
  },
});
const rr = (backends: string[], port?: number): unknown => {
  const addr = {
    map: {
      key: { numgen: { mode: 'inc', mod: backends.length, offset: 0 } },
      data: { set: backends.map((b, i) => [i, b]) },
    },
  };
  return { dnat: port === undefined ? { addr } : { addr, port } };
};

test('chain names are derived from the VIP and the published port', () => {
  assert.equal(vipChain('10.0.0.5'), 'vip-10-0-0-5');
  assert.equal(portChain('udp', 53), 'port-udp-53');
});

test('deleteTable adds then deletes, so it succeeds whether or not the table exists', () => {
  assert.deepEqual(deleteTable('shoal_lb'), [
    { add: { table: { family: 'ip', name: 'shoal_lb' } } },
    { delete: { table: { family: 'ip', name: 'shoal_lb' } } },
  ]);
});

test('sandbox: VIPs with backends, a VIP without, and the DNS redirect (golden)', () => {
  const spec = normalizeSandboxSpec({
    services: [
      { vip: '10.0.0.9', backends: [] },
      { vip: '10.0.0.2', backends: ['10.0.0.12', '10.0.0.4', '10.0.0.12'] },
    ],
    dns: { address: '127.0.0.11', udpPort: 40000, tcpPort: 40001 },
  });
  assert.deepEqual(sandboxRuleset(spec, false), [
    { add: { table: { family: 'ip', name: 'shoal_lb' } } },
    { add: { map: { ...lb, name: 'vips', type: 'ipv4_addr', map: 'verdict' } } },
    { add: { chain: { ...lb, name: 'dns' } } },
    {
      add: {
        rule: {
          ...lb,
          chain: 'dns',
          expr: [
            { match: { op: '==', left: daddr, right: '127.0.0.11' } },
            { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: 53 } },
            { dnat: { addr: '127.0.0.11', port: 40000 } },
          ],
        },
      },
    },
    {
      add: {
        rule: {
          ...lb,
          chain: 'dns',
          expr: [
            { match: { op: '==', left: daddr, right: '127.0.0.11' } },
            { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 53 } },
            { dnat: { addr: '127.0.0.11', port: 40001 } },
          ],
        },
      },
    },
    { add: { chain: { ...lb, name: 'vip-10-0-0-2' } } },
    ping('vip-10-0-0-2'),
    { add: { rule: { ...lb, chain: 'vip-10-0-0-2', expr: [rr(['10.0.0.4', '10.0.0.12'])] } } },
    { add: { element: { ...lb, name: 'vips', elem: [['10.0.0.2', { goto: { target: 'vip-10-0-0-2' } }]] } } },
    { add: { chain: { ...lb, name: 'vip-10-0-0-9' } } },
    ping('vip-10-0-0-9'),
    {
      add: {
        rule: {
          ...lb,
          chain: 'vip-10-0-0-9',
          expr: [{ match: { op: '==', left: l4, right: 'tcp' } }, { reject: { type: 'tcp reset' } }],
        },
      },
    },
    {
      add: {
        rule: {
          ...lb,
          chain: 'vip-10-0-0-9',
          expr: [{ reject: { type: 'icmp', expr: 'port-unreachable' } }],
        },
      },
    },
    { add: { element: { ...lb, name: 'vips', elem: [['10.0.0.9', { goto: { target: 'vip-10-0-0-9' } }]] } } },
    {
      add: {
        chain: { ...lb, name: 'nat-output', type: 'nat', hook: 'output', prio: -110, policy: 'accept' },
      },
    },
    { add: { rule: { ...lb, chain: 'nat-output', expr: [{ jump: { target: 'dns' } }] } } },
    { add: { rule: { ...lb, chain: 'nat-output', expr: [{ vmap: { key: daddr, data: '@vips' } }] } } },
  ]);
});

test('sandbox: replace deletes the old table in the same transaction; no DNS means an empty dns chain', () => {
  const commands = sandboxRuleset(normalizeSandboxSpec({ services: [] }), true);
  assert.deepEqual(commands.slice(0, 3), [
    ...deleteTable('shoal_lb'),
    { add: { table: { family: 'ip', name: 'shoal_lb' } } },
  ]);
  assert.equal(
    commands.some((c) => 'add' in c && 'rule' in c.add && c.add.rule.chain === 'dns'),
    false,
  );
});

test('node: ingress ports balance with masquerade, an empty ingress port rejects, host mode without a local task is absent (golden)', () => {
  const spec = normalizeNodeSpec({
    ingressSubnet: '10.255.0.0/16',
    ports: [
      { protocol: 'udp', publishedPort: 5353, targetPort: 53, mode: 'ingress', backends: [] },
      {
        protocol: 'tcp',
        publishedPort: 8080,
        targetPort: 80,
        mode: 'ingress',
        backends: ['10.255.0.7', '10.255.0.5'],
      },
      { protocol: 'tcp', publishedPort: 9090, targetPort: 90, mode: 'host', backends: ['172.18.0.3'] },
      { protocol: 'tcp', publishedPort: 9191, targetPort: 91, mode: 'host', backends: [] },
      { protocol: 'tcp', publishedPort: 7000, targetPort: 70, mode: 'ingress', backends: [] },
    ],
  });
  const dispatch = [
    { match: { op: '==', left: { fib: { result: 'type', flags: ['daddr'] } }, right: 'local' } },
    { vmap: { key: { concat: [l4, { payload: { protocol: 'th', field: 'dport' } }] }, data: '@ports' } },
  ];
  const elem = (proto: string, port: number): unknown => ({
    add: {
      element: {
        ...mesh,
        name: 'ports',
        elem: [[{ concat: [proto, port] }, { goto: { target: `port-${proto}-${port}` } }]],
      },
    },
  });
  assert.deepEqual(nodeRuleset(spec, false), [
    { add: { table: { family: 'ip', name: 'shoal_mesh' } } },
    { add: { map: { ...mesh, name: 'ports', type: ['inet_proto', 'inet_service'], map: 'verdict' } } },
    { add: { chain: { ...mesh, name: 'port-tcp-7000' } } },
    {
      add: {
        rule: {
          ...mesh,
          chain: 'port-tcp-7000',
          expr: [{ match: { op: '==', left: l4, right: 'tcp' } }, { reject: { type: 'tcp reset' } }],
        },
      },
    },
    elem('tcp', 7000),
    { add: { chain: { ...mesh, name: 'port-tcp-8080' } } },
    {
      add: {
        rule: {
          ...mesh,
          chain: 'port-tcp-8080',
          expr: [{ match: { op: '==', left: l4, right: 'tcp' } }, rr(['10.255.0.5', '10.255.0.7'], 80)],
        },
      },
    },
    elem('tcp', 8080),
    { add: { chain: { ...mesh, name: 'port-tcp-9090' } } },
    {
      add: {
        rule: {
          ...mesh,
          chain: 'port-tcp-9090',
          expr: [{ match: { op: '==', left: l4, right: 'tcp' } }, rr(['172.18.0.3'], 90)],
        },
      },
    },
    elem('tcp', 9090),
    { add: { chain: { ...mesh, name: 'port-udp-5353' } } },
    {
      add: {
        rule: {
          ...mesh,
          chain: 'port-udp-5353',
          expr: [
            { match: { op: '==', left: l4, right: 'udp' } },
            { reject: { type: 'icmp', expr: 'port-unreachable' } },
          ],
        },
      },
    },
    elem('udp', 5353),
    {
      add: {
        chain: {
          ...mesh,
          name: 'nat-prerouting',
          type: 'nat',
          hook: 'prerouting',
          prio: -110,
          policy: 'accept',
        },
      },
    },
    { add: { rule: { ...mesh, chain: 'nat-prerouting', expr: dispatch } } },
    {
      add: {
        chain: { ...mesh, name: 'nat-output', type: 'nat', hook: 'output', prio: -110, policy: 'accept' },
      },
    },
    {
      add: {
        rule: {
          ...mesh,
          chain: 'nat-output',
          expr: [
            { match: { op: '!=', left: daddr, right: { prefix: { addr: '127.0.0.0', len: 8 } } } },
            ...dispatch,
          ],
        },
      },
    },
    {
      add: {
        chain: {
          ...mesh,
          name: 'nat-postrouting',
          type: 'nat',
          hook: 'postrouting',
          prio: 100,
          policy: 'accept',
        },
      },
    },
    {
      add: {
        rule: {
          ...mesh,
          chain: 'nat-postrouting',
          expr: [
            { match: { op: '==', left: { meta: { key: 'mark' } }, right: 0x5348_4c01 } },
            { accept: null },
          ],
        },
      },
    },
    {
      add: {
        rule: {
          ...mesh,
          chain: 'nat-postrouting',
          expr: [
            { match: { op: 'in', left: { ct: { key: 'status' } }, right: 'dnat' } },
            { match: { op: '==', left: daddr, right: { prefix: { addr: '10.255.0.0', len: 16 } } } },
            { masquerade: null },
          ],
        },
      },
    },
  ]);
});

test('node: without an ingress subnet there is no masquerade rule', () => {
  const commands = nodeRuleset(normalizeNodeSpec({ ports: [] }), false);
  assert.equal(
    commands.some((c) => 'add' in c && 'rule' in c.add && c.add.rule.chain === 'nat-postrouting'),
    false,
  );
});
