// Table tests of the minimal diff: each change touches only the VIP (or port) that changed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeChanges, sandboxChanges } from '../lb-diff.js';
import type { NodeLbSpec, PublishedPort, SandboxLbSpec } from '../lb-spec.js';
import { normalizeNodeSpec, normalizeSandboxSpec } from '../lb-spec.js';
import type { NftCommand } from '../../nft-json.js';

/** A compact, readable form of a transaction: `verb object name`. */
function summary(commands: readonly NftCommand[]): string[] {
  return commands.map((c) => {
    const [verb, obj] = Object.entries(
      c as unknown as Record<string, Record<string, Record<string, unknown>>>,
    )[0] as [string, Record<string, Record<string, unknown>>];
    const [kind, body] = Object.entries(obj)[0] as [string, Record<string, unknown>];
    if (kind === 'rule') return `${verb} rule ${String(body['chain'])}`;
    if (kind === 'element') return `${verb} element ${String(body['name'])} ${JSON.stringify(body['elem'])}`;
    return `${verb} ${kind} ${String(body['name'])}`;
  });
}

const sb = (services: Record<string, string[]>, dns?: [number, number]): SandboxLbSpec => ({
  services: Object.entries(services).map(([vip, backends]) => ({ vip, backends })),
  ...(dns ? { dns: { address: '127.0.0.11', udpPort: dns[0], tcpPort: dns[1] } } : {}),
});

const sandboxCases: { name: string; prev: SandboxLbSpec; next: SandboxLbSpec; want: string[] }[] = [
  {
    name: 'identical specs',
    prev: sb({ '10.0.0.2': ['10.0.0.5'] }),
    next: sb({ '10.0.0.2': ['10.0.0.5'] }),
    want: [],
  },
  {
    name: 'same backends in another order',
    prev: sb({ '10.0.0.2': ['10.0.0.5', '10.0.0.6'] }),
    next: sb({ '10.0.0.2': ['10.0.0.6', '10.0.0.5'] }),
    want: [],
  },
  {
    name: 'a service scales 2 → 3',
    prev: sb({ '10.0.0.2': ['10.0.0.5', '10.0.0.6'], '10.0.0.3': ['10.0.0.7'] }),
    next: sb({ '10.0.0.2': ['10.0.0.5', '10.0.0.6', '10.0.0.8'], '10.0.0.3': ['10.0.0.7'] }),
    want: ['flush chain vip-10-0-0-2', 'add rule vip-10-0-0-2', 'add rule vip-10-0-0-2'],
  },
  {
    name: 'a service loses its last backend',
    prev: sb({ '10.0.0.2': ['10.0.0.5'] }),
    next: sb({ '10.0.0.2': [] }),
    want: [
      'flush chain vip-10-0-0-2',
      'add rule vip-10-0-0-2',
      'add rule vip-10-0-0-2',
      'add rule vip-10-0-0-2',
    ],
  },
  {
    name: 'a service appears',
    prev: sb({}),
    next: sb({ '10.0.0.2': ['10.0.0.5'] }),
    want: [
      'add chain vip-10-0-0-2',
      'add rule vip-10-0-0-2',
      'add rule vip-10-0-0-2',
      'add element vips [["10.0.0.2",{"goto":{"target":"vip-10-0-0-2"}}]]',
    ],
  },
  {
    name: 'a service goes',
    prev: sb({ '10.0.0.2': ['10.0.0.5'], '10.0.0.3': [] }),
    next: sb({ '10.0.0.3': [] }),
    want: ['delete element vips ["10.0.0.2"]', 'flush chain vip-10-0-0-2', 'delete chain vip-10-0-0-2'],
  },
  {
    name: 'the DNS listener moved',
    prev: sb({}, [40000, 40001]),
    next: sb({}, [40002, 40001]),
    want: ['flush chain dns', 'add rule dns', 'add rule dns'],
  },
  { name: 'DNS redirect removed', prev: sb({}, [40000, 40001]), next: sb({}), want: ['flush chain dns'] },
];

for (const c of sandboxCases) {
  test(`sandbox diff: ${c.name}`, () => {
    assert.deepEqual(
      summary(sandboxChanges(normalizeSandboxSpec(c.prev), normalizeSandboxSpec(c.next))),
      c.want,
    );
  });
}

const port = (
  publishedPort: number,
  backends: string[],
  extra: Partial<PublishedPort> = {},
): PublishedPort => ({
  protocol: 'tcp',
  publishedPort,
  targetPort: 80,
  mode: 'ingress',
  backends,
  ...extra,
});
const node = (ports: PublishedPort[], ingressSubnet?: string): NodeLbSpec => ({
  ports,
  ...(ingressSubnet ? { ingressSubnet } : {}),
});

const nodeCases: { name: string; prev: NodeLbSpec; next: NodeLbSpec; want: string[] }[] = [
  {
    name: 'identical',
    prev: node([port(8080, ['10.255.0.5'])]),
    next: node([port(8080, ['10.255.0.5'])]),
    want: [],
  },
  {
    name: 'a replica moves',
    prev: node([port(8080, ['10.255.0.5', '10.255.0.6']), port(8081, ['10.255.0.9'])]),
    next: node([port(8080, ['10.255.0.5', '10.255.0.7']), port(8081, ['10.255.0.9'])]),
    want: ['flush chain port-tcp-8080', 'add rule port-tcp-8080'],
  },
  {
    name: 'the target port changes',
    prev: node([port(8080, ['10.255.0.5'])]),
    next: node([port(8080, ['10.255.0.5'], { targetPort: 81 })]),
    want: ['flush chain port-tcp-8080', 'add rule port-tcp-8080'],
  },
  {
    name: 'an empty port keeps rejecting whatever its target',
    prev: node([port(8080, [])]),
    next: node([port(8080, [], { targetPort: 81 })]),
    want: [],
  },
  {
    name: 'a UDP port is published',
    prev: node([]),
    next: node([port(53, ['10.255.0.5'], { protocol: 'udp' })]),
    want: [
      'add chain port-udp-53',
      'add rule port-udp-53',
      'add element ports [[{"concat":["udp",53]},{"goto":{"target":"port-udp-53"}}]]',
    ],
  },
  {
    name: 'a port is unpublished',
    prev: node([port(8080, ['10.255.0.5'])]),
    next: node([]),
    want: [
      'delete element ports [{"concat":["tcp",8080]}]',
      'flush chain port-tcp-8080',
      'delete chain port-tcp-8080',
    ],
  },
  {
    name: 'the last local task of a host-mode port stops',
    prev: node([port(9090, ['172.18.0.3'], { mode: 'host' })]),
    next: node([port(9090, [], { mode: 'host' })]),
    want: [
      'delete element ports [{"concat":["tcp",9090]}]',
      'flush chain port-tcp-9090',
      'delete chain port-tcp-9090',
    ],
  },
  {
    name: 'the ingress subnet becomes known',
    prev: node([]),
    next: node([], '10.255.0.0/16'),
    // The exemption of ports that keep the client's address, then the masquerade.
    want: ['flush chain nat-postrouting', 'add rule nat-postrouting', 'add rule nat-postrouting'],
  },
];

for (const c of nodeCases) {
  test(`node diff: ${c.name}`, () => {
    assert.deepEqual(summary(nodeChanges(normalizeNodeSpec(c.prev), normalizeNodeSpec(c.next))), c.want);
  });
}

test('one scale event among 1,000 services produces a diff for that service only', () => {
  const many = (extra: string[]): SandboxLbSpec => ({
    services: Array.from({ length: 1000 }, (_, i) => ({
      vip: `10.1.${i >> 8}.${i & 255}`,
      backends: i === 500 ? ['10.2.0.1', ...extra] : ['10.2.0.1', '10.2.0.2'],
    })),
  });
  const diff = sandboxChanges(
    normalizeSandboxSpec(many(['10.2.0.2'])),
    normalizeSandboxSpec(many(['10.2.0.2', '10.2.0.3'])),
  );
  assert.deepEqual(summary(diff), [
    'flush chain vip-10-1-1-244',
    'add rule vip-10-1-1-244',
    'add rule vip-10-1-1-244',
  ]);
});
