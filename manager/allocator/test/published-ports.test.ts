import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PortConfig } from '../../../api/objects/index.js';
import { DynamicPortsExhaustedError, PortInUseError } from '../errors.js';
import { planPorts, PublishedPorts } from '../published-ports.js';

const ingress = (target: number, published = 0, protocol: PortConfig['protocol'] = 'tcp'): PortConfig => ({
  protocol,
  targetPort: target,
  publishedPort: published,
  publishMode: 'ingress',
});
const host = (target: number, published = 0): PortConfig => ({
  protocol: 'tcp',
  targetPort: target,
  publishedPort: published,
  publishMode: 'host',
});

test('planPorts numbers ingress ports and leaves host ports alone', () => {
  const cases: { name: string; spec: PortConfig[]; previous?: PortConfig[]; want: number[] }[] = [
    { name: 'explicit', spec: [ingress(80, 8080)], want: [8080] },
    { name: 'dynamic', spec: [ingress(80)], want: [30000] },
    { name: 'two dynamic', spec: [ingress(80), ingress(443)], want: [30000, 30001] },
    { name: 'tcp and udp share numbers', spec: [ingress(53), ingress(53, 0, 'udp')], want: [30000, 30000] },
    { name: 'host mode keeps 0', spec: [host(80), host(81, 8081)], want: [0, 8081] },
    { name: 'dynamic keeps its number', spec: [ingress(80)], previous: [ingress(80, 30007)], want: [30007] },
    {
      name: 'an explicit number is never reused as dynamic',
      spec: [ingress(81, 30007), ingress(80)],
      previous: [ingress(80, 30007)],
      want: [30007, 30008],
    },
  ];
  for (const c of cases) {
    const ledger = new PublishedPorts();
    for (const p of c.previous ?? []) ledger.reserve(p.protocol, p.publishedPort, 's1');
    const plan = planPorts(ledger, 's1', c.spec, c.previous ?? []);
    assert.deepEqual(
      plan.ports.map((p) => p.publishedPort),
      c.want,
      c.name,
    );
    for (const p of plan.ports) {
      if (p.publishMode === 'ingress')
        assert.equal(ledger.ownerOf(p.protocol, p.publishedPort), 's1', c.name);
    }
  }
});

test('ports a service no longer publishes are returned for release, not freed', () => {
  const ledger = new PublishedPorts();
  const previous = [ingress(80, 8080), ingress(81, 30000)];
  for (const p of previous) ledger.reserve(p.protocol, p.publishedPort, 's1');
  const plan = planPorts(ledger, 's1', [ingress(80, 9090)], previous);
  assert.deepEqual(plan.releases, [
    { protocol: 'tcp', port: 8080 },
    { protocol: 'tcp', port: 30000 },
  ]);
  assert.equal(ledger.ownerOf('tcp', 8080), 's1');
  assert.equal(ledger.ownerOf('tcp', 9090), 's1');
});

test('a port held by another service is refused and nothing stays reserved', () => {
  const ledger = new PublishedPorts();
  ledger.reserve('tcp', 8080, 'other');
  assert.throws(
    () => planPorts(ledger, 's1', [ingress(80), ingress(81, 8080)], []),
    (e: unknown) => e instanceof PortInUseError && e.serviceId === 'other' && e.port === 8080,
  );
  assert.equal(ledger.ownerOf('tcp', 30000), undefined);
});

test('dynamic ports are serial and wrap; exhaustion is reported', () => {
  const ledger = new PublishedPorts();
  ledger.reserve('tcp', 32767, 'x');
  assert.equal(ledger.allocateDynamic('tcp', 'a'), 30000);
  ledger.release('tcp', 30000, 'a');
  assert.equal(ledger.allocateDynamic('tcp', 'b'), 30001, 'the freed port comes after the others');
  const full = new PublishedPorts();
  for (let p = 30000; p <= 32767; p++) full.reserve('udp', p, 'x');
  assert.throws(() => full.allocateDynamic('udp', 'y'), DynamicPortsExhaustedError);
  assert.equal(full.allocateDynamic('tcp', 'y'), 30000);
});
