import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dnsRecordsFromView } from '../dns-from-view.js';
import { VIEW } from '../../lb/test/view-fixture.js';

test('records name the healthy tasks of every service, ingress excluded; task names when the caller knows them', () => {
  const names: Record<string, string> = { t1: 'web.1.t1', t2: 'web.2.t2', t3: 'web.3.t3' };
  assert.deepEqual(
    dnsRecordsFromView(VIEW, (id) => names[id]),
    [
      {
        id: 'net-over',
        name: 'overnet',
        services: [
          {
            name: 'web',
            aliases: ['www'],
            endpointMode: 'vip',
            vip: '10.0.1.2',
            taskAddrs: ['10.0.1.5', '10.0.1.6'],
          },
          { name: 'db', aliases: [], endpointMode: 'dnsrr', taskAddrs: ['10.0.1.9'] },
        ],
        tasks: [
          { name: 'web.1.t1', addr: '10.0.1.5' },
          { name: 'web.2.t2', addr: '10.0.1.6' },
        ],
      },
    ],
  );
  assert.deepEqual(dnsRecordsFromView(VIEW)[0]?.tasks, []);
});

test('a container attached to the network answers to its names (Docker resolves such containers)', () => {
  const attached = {
    kind: 'task' as const,
    taskId: 'att1',
    serviceId: '',
    serviceName: '',
    names: ['side', 'db-alias'],
    nodeId: 'n2',
    nodeAddr: '192.168.1.2',
    address: '10.0.1.40/24',
    mac: '02:42:0a:00:01:28',
  };
  const view = {
    ...VIEW,
    networks: VIEW.networks.map((n) =>
      n.networkId === 'net-over' ? { ...n, endpoints: [...n.endpoints, attached] } : n,
    ),
  };
  const overnet = dnsRecordsFromView(view).find((r) => r.id === 'net-over');
  assert.deepEqual(overnet?.tasks, [
    { name: 'side', addr: '10.0.1.40' },
    { name: 'db-alias', addr: '10.0.1.40' },
  ]);
});
