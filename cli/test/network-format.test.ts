import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../commands/cli-error.js';
import type { NetworkResource } from '../commands/network-client.js';
import { consolidateIpam, type IpamFlags } from '../commands/network-ipam.js';
import { networkCreateRequest, type NetworkCreateFlags } from '../commands/network.js';
import { formatNetworkTable } from '../format/network-table.js';

const net = (Id: string, Name: string, Driver = 'overlay', Scope = 'swarm'): NetworkResource => ({
  Id,
  Name,
  Driver,
  Scope,
});

const networks = [
  net('x8wqr3mh3d1e8s7n6wu9b9k5p', 'web10'),
  net('ab1cdefghijk0123456789xyz', 'ingress'),
  net('qq2cdefghijk0123456789xyz', 'web2'),
];

test('network ls prints docker’s columns, sorted by name in natural order', () => {
  assert.equal(
    formatNetworkTable(networks),
    [
      'NETWORK ID     NAME      DRIVER    SCOPE',
      'ab1cdefghijk   ingress   overlay   swarm',
      'qq2cdefghijk   web2      overlay   swarm',
      'x8wqr3mh3d1e   web10     overlay   swarm',
      '',
    ].join('\n'),
  );
});

test('network ls -q and --no-trunc', () => {
  assert.equal(formatNetworkTable(networks, { quiet: true }), 'ab1cdefghijk\nqq2cdefghijk\nx8wqr3mh3d1e\n');
  assert.equal(
    formatNetworkTable([networks[0]!], { trunc: false }),
    'NETWORK ID                  NAME      DRIVER    SCOPE\nx8wqr3mh3d1e8s7n6wu9b9k5p   web10     overlay   swarm\n',
  );
  assert.equal(formatNetworkTable([]), 'NETWORK ID   NAME      DRIVER    SCOPE\n');
});

test('IPAM flags are consolidated per subnet as the docker CLI does', () => {
  const flags = (f: Partial<IpamFlags>): IpamFlags => ({
    subnets: [],
    ranges: [],
    gateways: [],
    auxAddresses: {},
    ...f,
  });
  const good: [Partial<IpamFlags>, unknown][] = [
    [{}, []],
    [{ subnets: ['10.1.0.0/16'] }, [{ Subnet: '10.1.0.0/16' }]],
    [
      { subnets: ['10.1.0.0/16', '10.2.0.0/16'], gateways: ['10.2.0.254'], ranges: ['10.1.5.0/24'] },
      [
        { Subnet: '10.1.0.0/16', IPRange: '10.1.5.0/24' },
        { Subnet: '10.2.0.0/16', Gateway: '10.2.0.254' },
      ],
    ],
    [
      { subnets: ['10.1.0.0/16'], auxAddresses: { host1: '10.1.0.5' } },
      [{ Subnet: '10.1.0.0/16', AuxiliaryAddresses: { host1: '10.1.0.5' } }],
    ],
  ];
  for (const [f, want] of good) assert.deepEqual(consolidateIpam(flags(f)), want, JSON.stringify(f));
  const bad: [Partial<IpamFlags>, string][] = [
    [{ gateways: ['10.0.0.1'] }, 'every ip-range or gateway must have a corresponding subnet'],
    [
      { subnets: ['10.1.0.0/16', '10.1.5.0/24'] },
      'multiple overlapping subnet configuration is not supported',
    ],
    [{ subnets: ['10.1.0.0/16'], gateways: ['10.9.0.1'] }, 'no matching subnet for gateway 10.9.0.1'],
    [{ subnets: ['10.1.0.0/16'], ranges: ['10.9.0.0/24'] }, 'no matching subnet for range 10.9.0.0/24'],
    [{ subnets: ['10.1.0.0/16', 'nonsense'] }, 'invalid subnet: invalid CIDR address: nonsense'],
    [{ subnets: ['10.1.0.0/16'], gateways: ['x'] }, 'invalid IP address: x'],
  ];
  for (const [f, message] of bad) {
    assert.throws(
      () => consolidateIpam(flags(f)),
      (e: unknown) => e instanceof CliError && e.message === message,
    );
  }
});

test('the create request carries the flags as docker sends them', () => {
  const flags: NetworkCreateFlags = {
    driver: 'overlay',
    attachable: true,
    label: ['tier=db', 'secret'],
    opt: ['com.docker.network.driver.mtu=1400'],
    subnet: ['10.9.0.0/24'],
    gateway: [],
    ipRange: [],
    auxAddress: [],
    ipamDriver: 'default',
    ipamOpt: [],
    scope: '',
  };
  assert.deepEqual(networkCreateRequest('backend', flags), {
    Name: 'backend',
    CheckDuplicate: true,
    Driver: 'overlay',
    Scope: '',
    EnableIPv6: false,
    IPAM: { Driver: 'default', Config: [{ Subnet: '10.9.0.0/24' }], Options: {} },
    Internal: false,
    Attachable: true,
    Ingress: false,
    ConfigOnly: false,
    Options: { 'com.docker.network.driver.mtu': '1400' },
    Labels: { tier: 'db', secret: '' },
  });
});
