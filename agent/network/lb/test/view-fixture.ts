// A node's network view as api/network/network-view.ts builds it: an overlay network with a
// vip-mode service (one task stopping) and a dnsrr service, and the ingress network carrying a
// published port of the first. Shared by the lb and dns adapter tests.

import type { NodeNetworkView, OverlayNetworkView } from '../../../../api/network/network-view.js';

const overnet: OverlayNetworkView = {
  networkId: 'net-over',
  name: 'overnet',
  vni: 4097,
  subnet: '10.0.1.0/24',
  gateway: '10.0.1.1',
  internal: false,
  attachable: false,
  ingress: false,
  endpoints: [],
  services: [
    {
      serviceId: 'svc-web',
      name: 'web',
      endpointMode: 'vip',
      vip: '10.0.1.2',
      aliases: ['www'],
      ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' }],
      backends: [
        { taskId: 't1', address: '10.0.1.5', nodeId: 'n1', healthy: true },
        { taskId: 't2', address: '10.0.1.6', nodeId: 'n2', healthy: true },
        { taskId: 't3', address: '10.0.1.7', nodeId: 'n2', healthy: false },
      ],
    },
    {
      serviceId: 'svc-db',
      name: 'db',
      endpointMode: 'dnsrr',
      aliases: [],
      ports: [],
      backends: [{ taskId: 't4', address: '10.0.1.9', nodeId: 'n1', healthy: true }],
    },
  ],
};

const ingress: OverlayNetworkView = {
  networkId: 'net-ingress',
  name: 'ingress',
  vni: 4096,
  subnet: '10.0.0.0/24',
  gateway: '10.0.0.1',
  internal: false,
  attachable: false,
  ingress: true,
  endpoints: [],
  services: [
    {
      serviceId: 'svc-web',
      name: 'web',
      endpointMode: 'vip',
      vip: '10.0.0.2',
      aliases: [],
      ports: [
        { protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' },
        { protocol: 'udp', targetPort: 53, publishedPort: 30053, publishMode: 'ingress' },
        { protocol: 'tcp', targetPort: 81, publishedPort: 0, publishMode: 'host' },
      ],
      backends: [
        { taskId: 't1', address: '10.0.0.5', nodeId: 'n1', healthy: true },
        { taskId: 't2', address: '10.0.0.6', nodeId: 'n2', healthy: true },
        { taskId: 't3', address: '10.0.0.7', nodeId: 'n2', healthy: false },
      ],
    },
  ],
};

export const VIEW: NodeNetworkView = {
  nodeId: 'n1',
  networks: [ingress, overnet],
  ingressAddress: '10.0.0.3/24',
};
