import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundHostPorts, hostPortsFromView, nodeSpecFromView, sandboxSpecFromView } from '../lb-from-view.js';
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

test('host ports lead to the local tasks that run; tasks sharing a port share it; unnumbered ones are left out', () => {
  const view = {
    ...VIEW,
    hostPorts: [
      {
        taskId: 't1',
        ports: [
          { protocol: 'tcp', targetPort: 80, publishedPort: 9000, publishMode: 'host' },
          { protocol: 'udp', targetPort: 53, publishedPort: 0, publishMode: 'host' },
        ],
      },
      {
        taskId: 't2',
        ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 9000, publishMode: 'host' }],
      },
      {
        taskId: 'not-running',
        ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 9001, publishMode: 'host' }],
      },
    ],
  } as const;
  const addresses: Record<string, string> = { t1: '172.18.0.2', t2: '172.18.0.3' };
  assert.deepEqual(
    hostPortsFromView(view, (id) => addresses[id]),
    [
      {
        protocol: 'tcp',
        publishedPort: 9000,
        targetPort: 80,
        mode: 'host',
        backends: ['172.18.0.2', '172.18.0.3'],
      },
    ],
  );
});

test('a host port the routing mesh already answers is not bound on the node as well', () => {
  const clash = {
    protocol: 'tcp',
    publishedPort: 8080,
    targetPort: 81,
    mode: 'host',
    backends: ['172.18.0.9'],
  } as const;
  const ports = nodeSpecFromView(VIEW, [clash]).ports;
  assert.equal(ports.filter((p) => p.publishedPort === 8080).length, 1);
  assert.equal(ports.find((p) => p.publishedPort === 8080)?.mode, 'ingress');
});

test('a task’s bound host ports (its status) leave out unnumbered ones and those the mesh answers', () => {
  const p9000 = { protocol: 'tcp', targetPort: 80, publishedPort: 9000, publishMode: 'host' } as const;
  const view = {
    ...VIEW,
    hostPorts: [
      {
        taskId: 't1',
        ports: [
          p9000,
          { protocol: 'udp', targetPort: 53, publishedPort: 0, publishMode: 'host' },
          { protocol: 'tcp', targetPort: 81, publishedPort: 8080, publishMode: 'host' },
        ],
      },
    ],
  } as const;
  assert.deepEqual(boundHostPorts(view, 't1'), [p9000]);
  assert.deepEqual(boundHostPorts(view, 'other'), []);
  assert.deepEqual(boundHostPorts({ nodeId: 'n1', networks: [] }, 't1'), []);
});
