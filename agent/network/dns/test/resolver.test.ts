// Table tests of the resolver: Docker's naming rules, scoped to the querier's networks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDnsIndex, TASK_TTL, VIP_TTL } from '../dns-records.js';
import { resolve, type Resolution } from '../resolver.js';

const index = buildDnsIndex([
  {
    id: 'n1',
    name: 'overnet',
    services: [
      {
        name: 'web',
        endpointMode: 'vip',
        vip: '10.0.0.2',
        taskAddrs: ['10.0.0.5', '10.0.0.6'],
        aliases: ['www'],
      },
      { name: 'db', endpointMode: 'dnsrr', taskAddrs: ['10.0.0.7', '10.0.0.8', '10.0.0.9'] },
      { name: 'idle', endpointMode: 'vip', vip: '10.0.0.3', taskAddrs: [] },
    ],
    tasks: [
      { name: 'web.1.abc', addr: '10.0.0.5' },
      { name: 'web.2.def', addr: '10.0.0.6' },
    ],
  },
  {
    id: 'n2',
    name: 'backnet',
    services: [
      { name: 'web', endpointMode: 'vip', vip: '10.1.0.2', taskAddrs: ['10.1.0.5'] },
      { name: 'cache', endpointMode: 'vip', vip: '10.1.0.3', taskAddrs: ['10.1.0.8'] },
    ],
    tasks: [{ name: 'cache.1.xyz', addr: '10.1.0.8' }],
  },
]);

const a = (name: string, ttl: number, ...addrs: string[]): Resolution => ({
  kind: 'answer',
  rcode: 'NOERROR',
  records: addrs.map((data) => ({ name, type: 'A', ttl, data })),
});
const nodata: Resolution = { kind: 'answer', rcode: 'NOERROR', records: [] };
const nx: Resolution = { kind: 'answer', rcode: 'NXDOMAIN', records: [] };
const fwd: Resolution = { kind: 'forward' };

const cases: { name: string; nets: string[]; q: string; type?: string; rotate?: number; want: Resolution }[] =
  [
    { name: 'service → VIP', nets: ['n1'], q: 'web', want: a('web', VIP_TTL, '10.0.0.2') },
    {
      name: 'case and trailing dot do not matter',
      nets: ['n1'],
      q: 'WEB.',
      want: a('WEB.', VIP_TTL, '10.0.0.2'),
    },
    { name: 'alias → VIP', nets: ['n1'], q: 'www', want: a('www', VIP_TTL, '10.0.0.2') },
    {
      name: 'tasks.<service> → task addresses',
      nets: ['n1'],
      q: 'tasks.web',
      want: a('tasks.web', TASK_TTL, '10.0.0.5', '10.0.0.6'),
    },
    {
      name: 'dnsrr service → task addresses',
      nets: ['n1'],
      q: 'db',
      want: a('db', TASK_TTL, '10.0.0.7', '10.0.0.8', '10.0.0.9'),
    },
    {
      name: 'dnsrr answers rotate',
      nets: ['n1'],
      q: 'db',
      rotate: 4,
      want: a('db', TASK_TTL, '10.0.0.8', '10.0.0.9', '10.0.0.7'),
    },
    {
      name: 'task name → its address',
      nets: ['n1'],
      q: 'web.2.def',
      want: a('web.2.def', TASK_TTL, '10.0.0.6'),
    },
    {
      name: 'a service with no task still has its VIP',
      nets: ['n1'],
      q: 'idle',
      want: a('idle', VIP_TTL, '10.0.0.3'),
    },
    { name: 'tasks.<service> with no task: no data', nets: ['n1'], q: 'tasks.idle', want: nodata },
    { name: 'first shared network wins', nets: ['n2', 'n1'], q: 'web', want: a('web', VIP_TTL, '10.1.0.2') },
    {
      name: '<name>.<network> looks in that network',
      nets: ['n1', 'n2'],
      q: 'web.backnet',
      want: a('web.backnet', VIP_TTL, '10.1.0.2'),
    },
    {
      name: 'tasks.<name>.<network>',
      nets: ['n1', 'n2'],
      q: 'tasks.web.backnet',
      want: a('tasks.web.backnet', TASK_TTL, '10.1.0.5'),
    },
    { name: 'unknown name in a shared network', nets: ['n1', 'n2'], q: 'nope.backnet', want: nx },
    { name: 'a service on a network not shared is not visible', nets: ['n1'], q: 'cache', want: nx },
    { name: 'nor its tasks', nets: ['n1'], q: 'tasks.cache', want: nx },
    { name: 'nor its task names', nets: ['n1'], q: 'cache.1.xyz', want: fwd },
    { name: 'a network the querier is not on is not a scope', nets: ['n1'], q: 'web.backnet', want: fwd },
    { name: 'unknown single label: NXDOMAIN', nets: ['n1'], q: 'nosuch', want: nx },
    { name: 'unknown tasks.*: NXDOMAIN', nets: ['n1'], q: 'tasks.nosuch', want: nx },
    { name: 'other names are forwarded', nets: ['n1'], q: 'deb.debian.org', want: fwd },
    { name: 'AAAA of a known name: empty, not NXDOMAIN', nets: ['n1'], q: 'web', type: 'AAAA', want: nodata },
    { name: 'MX of a known name: empty', nets: ['n1'], q: 'tasks.web', type: 'MX', want: nodata },
    { name: 'AAAA of an unknown single label: NXDOMAIN', nets: ['n1'], q: 'nosuch', type: 'AAAA', want: nx },
    {
      name: 'AAAA of an outside name is forwarded',
      nets: ['n1'],
      q: 'deb.debian.org',
      type: 'AAAA',
      want: fwd,
    },
    {
      name: 'ANY of a known name → A',
      nets: ['n1'],
      q: 'web',
      type: 'ANY',
      want: a('web', VIP_TTL, '10.0.0.2'),
    },
    {
      name: 'PTR of a task address → task name',
      nets: ['n1'],
      q: '5.0.0.10.in-addr.arpa',
      type: 'PTR',
      want: {
        kind: 'answer',
        rcode: 'NOERROR',
        records: [{ name: '5.0.0.10.in-addr.arpa', type: 'PTR', ttl: TASK_TTL, data: 'web.1.abc' }],
      },
    },
    {
      name: 'PTR of a VIP → service name',
      nets: ['n1'],
      q: '2.0.0.10.in-addr.arpa',
      type: 'PTR',
      want: {
        kind: 'answer',
        rcode: 'NOERROR',
        records: [{ name: '2.0.0.10.in-addr.arpa', type: 'PTR', ttl: TASK_TTL, data: 'web' }],
      },
    },
    {
      name: 'PTR of an address not shared is forwarded',
      nets: ['n1'],
      q: '8.0.1.10.in-addr.arpa',
      type: 'PTR',
      want: fwd,
    },
    { name: 'a querier on no network forwards dotted names', nets: [], q: 'example.org', want: fwd },
    { name: 'and refuses single labels', nets: [], q: 'web', want: nx },
  ];

for (const c of cases) {
  test(`resolve: ${c.name}`, () => {
    assert.deepEqual(resolve(index, c.nets, { name: c.q, type: c.type ?? 'A' }, c.rotate ?? 0), c.want);
  });
}
