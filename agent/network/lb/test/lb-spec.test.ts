import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LbSpecError } from '../errors.js';
import { normalizeNodeSpec, normalizeSandboxSpec, type NodeLbSpec, type SandboxLbSpec } from '../lb-spec.js';

test('sandbox specs are sorted by VIP, backends sorted numerically and deduplicated', () => {
  const n = normalizeSandboxSpec({
    services: [
      { vip: '10.0.0.10', backends: ['10.0.0.100', '10.0.0.9', '10.0.0.9'] },
      { vip: '10.0.0.9', backends: [] },
    ],
  });
  assert.deepEqual(
    [...n.services],
    [
      ['10.0.0.9', []],
      ['10.0.0.10', ['10.0.0.9', '10.0.0.100']],
    ],
  );
  assert.equal(n.dns, undefined);
});

test('node specs are sorted by protocol then port; host ports without a local task are dropped', () => {
  const n = normalizeNodeSpec({
    ports: [
      { protocol: 'udp', publishedPort: 53, targetPort: 53, mode: 'ingress', backends: ['10.0.0.2'] },
      { protocol: 'tcp', publishedPort: 9000, targetPort: 80, mode: 'host', backends: [] },
      { protocol: 'tcp', publishedPort: 443, targetPort: 443, mode: 'ingress', backends: [] },
    ],
  });
  assert.deepEqual([...n.ports.keys()], ['tcp/443', 'udp/53']);
});

const badSandboxes: [string, SandboxLbSpec, RegExp][] = [
  ['bad VIP', { services: [{ vip: '10.0.0', backends: [] }] }, /VIP "10.0.0" is not an IPv4 address/],
  ['bad backend', { services: [{ vip: '10.0.0.2', backends: ['x'] }] }, /backend of VIP 10.0.0.2 "x"/],
  [
    'duplicate VIP',
    {
      services: [
        { vip: '10.0.0.2', backends: [] },
        { vip: '10.0.0.2', backends: [] },
      ],
    },
    /appears twice/,
  ],
  [
    'bad DNS port',
    { services: [], dns: { address: '127.0.0.11', udpPort: 0, tcpPort: 53 } },
    /DNS UDP port 0/,
  ],
];
for (const [name, spec, re] of badSandboxes) {
  test(`sandbox spec refused: ${name}`, () => {
    assert.throws(
      () => normalizeSandboxSpec(spec),
      (e: unknown) => e instanceof LbSpecError && e.code === 'LB_BAD_SPEC' && re.test(e.message),
    );
  });
}

const p = { protocol: 'tcp', publishedPort: 80, targetPort: 80, mode: 'ingress', backends: [] } as const;
const badNodes: [string, NodeLbSpec, RegExp][] = [
  ['bad subnet', { ingressSubnet: '10.255.0.0/33', ports: [] }, /not an IPv4 CIDR/],
  ['bad port', { ports: [{ ...p, publishedPort: 70000 }] }, /published port 70000/],
  ['bad target', { ports: [{ ...p, targetPort: 1.5 }] }, /target port 1.5/],
  ['duplicate port', { ports: [p, p] }, /tcp\/80 appears twice/],
];
for (const [name, spec, re] of badNodes) {
  test(`node spec refused: ${name}`, () => {
    assert.throws(
      () => normalizeNodeSpec(spec),
      (e: unknown) => e instanceof LbSpecError && re.test(e.message),
    );
  });
}
