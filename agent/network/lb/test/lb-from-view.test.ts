import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeSpecFromView, sandboxSpecFromView } from '../lb-from-view.js';
import { VIEW } from './view-fixture.js';

test('a task on overnet balances to the healthy tasks of vip-mode services; ingress VIPs are left out', () => {
  const dns = { address: '127.0.0.11', udpPort: 40000, tcpPort: 40001 };
  assert.deepEqual(sandboxSpecFromView(VIEW, ['net-over', 'net-ingress'], dns), {
    services: [{ vip: '10.0.1.2', backends: ['10.0.1.5', '10.0.1.6'] }],
    dns,
  });
  assert.deepEqual(sandboxSpecFromView(VIEW, []), { services: [] });
});

test('the node answers the ingress ports over the healthy tasks’ ingress addresses; host ports come from the caller', () => {
  const host = {
    protocol: 'tcp',
    publishedPort: 9000,
    targetPort: 81,
    mode: 'host',
    backends: ['172.18.0.2'],
  } as const;
  assert.deepEqual(nodeSpecFromView(VIEW, [host]), {
    ingressSubnet: '10.0.0.0/24',
    ports: [
      {
        protocol: 'tcp',
        publishedPort: 8080,
        targetPort: 80,
        mode: 'ingress',
        backends: ['10.0.0.5', '10.0.0.6'],
      },
      {
        protocol: 'udp',
        publishedPort: 30053,
        targetPort: 53,
        mode: 'ingress',
        backends: ['10.0.0.5', '10.0.0.6'],
      },
      host,
    ],
  });
  assert.deepEqual(nodeSpecFromView({ nodeId: 'n1', networks: [] }), { ports: [] });
});
