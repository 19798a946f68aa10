// The network view in an assignments message: accepted when it is this node's and well formed,
// refused with a typed error otherwise (nothing is programmed from a bad view).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedMessageError } from '../../../api/wire/errors.js';
import { decodeNetworkView, decodeNetworkViewUpdate } from '../network-view-decoder.js';

const enc = (v: unknown): Uint8Array =>
  new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const NODE = 'n'.repeat(25);
const network = {
  networkId: 'w'.repeat(25),
  name: 'overnet',
  vni: 4097,
  subnet: '10.0.1.0/24',
  gateway: '10.0.1.1',
  internal: false,
  attachable: false,
  ingress: false,
  endpoints: [
    {
      kind: 'task',
      taskId: 't1',
      nodeId: 'n2',
      address: '10.0.1.3/24',
      mac: '02:42:0a:00:01:03',
      nodeAddr: '10.77.0.12',
    },
  ],
  services: [],
};

test('a well-formed view for this node decodes', () => {
  const v = decodeNetworkView(enc({ nodeId: NODE, networks: [network] }), NODE);
  assert.equal(v.networks[0]?.vni, 4097);
  const port = { protocol: 'tcp', targetPort: 80, publishedPort: 8081, publishMode: 'host' };
  const h = decodeNetworkView(
    enc({ nodeId: NODE, networks: [], hostPorts: [{ taskId: 't', ports: [port] }] }),
    NODE,
  );
  assert.deepEqual(h.hostPorts, [{ taskId: 't', ports: [port] }]);
});

test('bad views are refused with a typed error', () => {
  const cases: [unknown, RegExp][] = [
    ['{not json', /not valid JSON/],
    [{ nodeId: 'x'.repeat(25), networks: [] }, /not this node's/],
    [{ nodeId: NODE }, /not this node's/],
    [{ nodeId: NODE, networks: [{ ...network, vni: '4097' }] }, /vni must be an integer/],
    [{ nodeId: NODE, networks: [{ ...network, subnet: 5 }] }, /subnet must be a string/],
    [{ nodeId: NODE, networks: [{ ...network, endpoints: undefined }] }, /endpoints must be a list/],
    [
      { nodeId: NODE, networks: [{ ...network, endpoints: [{ address: '10.0.1.3/24', mac: 'x' }] }] },
      /nodeAddr must be a string/,
    ],
    [
      { nodeId: NODE, networks: [{ ...network, endpoints: [{ ...network.endpoints[0], kind: 'vm' }] }] },
      /kind is unknown/,
    ],
    [
      { nodeId: NODE, networks: [{ ...network, services: [{ name: 'web' }] }] },
      /needs a serviceId and a name/,
    ],
    [
      {
        nodeId: NODE,
        networks: [{ ...network, services: [{ serviceId: 's', name: 'web', backends: [{ taskId: 't' }] }] }],
      },
      /backends\[0\]\.address must be a string/,
    ],
    [{ nodeId: NODE, networks: [], hostPorts: {} }, /hostPorts must be a list/],
    [{ nodeId: NODE, networks: [], hostPorts: [{ ports: [] }] }, /hostPorts\[0\] needs a taskId and ports/],
    [
      {
        nodeId: NODE,
        networks: [],
        hostPorts: [{ taskId: 't', ports: [{ protocol: 'tcp', targetPort: '80' }] }],
      },
      /hostPorts\[0\]\.ports\[0\] is not a port/,
    ],
  ];
  for (const [input, why] of cases) {
    assert.throws(
      () => decodeNetworkView(enc(input), NODE),
      (e: unknown) => e instanceof MalformedMessageError && why.test(e.message),
    );
  }
});

test('a view update decodes: keep, patch and full entries', () => {
  const { endpoints: _e, services: _s, ...header } = network;
  const patch = {
    header,
    removedEndpoints: ['task:t0'],
    endpoints: network.endpoints,
    removedServices: [],
    services: [],
  };
  const u = decodeNetworkViewUpdate(
    enc({
      nodeId: NODE,
      networks: [{ keep: 'a' }, { patch }, { full: network }],
      ingressAddress: '10.0.0.2/24',
    }),
    NODE,
  );
  assert.equal(u.networks.length, 3);
  assert.equal(u.ingressAddress, '10.0.0.2/24');
});

test('bad view updates are refused with a typed error', () => {
  const { endpoints: _e, services: _s, ...header } = network;
  const patch = { header, removedEndpoints: [], endpoints: [], removedServices: [], services: [] };
  const cases: [unknown, RegExp][] = [
    ['[', /not valid JSON/],
    [{ nodeId: 'x', networks: [] }, /not this node's/],
    [{ nodeId: NODE, networks: [{}] }, /one of keep, patch, full/],
    [{ nodeId: NODE, networks: [{ keep: 'a', full: network }] }, /one of keep, patch, full/],
    [{ nodeId: NODE, networks: [{ drop: 'a' }] }, /one of keep, patch, full/],
    [{ nodeId: NODE, networks: [{ keep: 5 }] }, /keep must be a network ID/],
    [{ nodeId: NODE, networks: [{ full: { ...network, vni: 'x' } }] }, /full\.vni must be an integer/],
    [
      { nodeId: NODE, networks: [{ patch: { ...patch, header: undefined } }] },
      /patch\.header must be an object/,
    ],
    [
      { nodeId: NODE, networks: [{ patch: { ...patch, removedEndpoints: [1] } }] },
      /removedEndpoints must be a list of strings/,
    ],
    [
      { nodeId: NODE, networks: [{ patch: { ...patch, endpoints: [{}] } }] },
      /patch\.endpoints\[0\]\.address must be a string/,
    ],
    [
      {
        nodeId: NODE,
        networks: [
          { patch: { ...patch, services: [{ header: { serviceId: 's', name: 'web' }, backends: [] }] } },
        ],
      },
      /removedBackends must be a list of strings/,
    ],
    [
      { nodeId: NODE, networks: [{ patch: { ...patch, services: [{ serviceId: 's' }] } }] },
      /services\[0\]\.header needs a serviceId and a name/,
    ],
  ];
  for (const [input, why] of cases) {
    assert.throws(
      () => decodeNetworkViewUpdate(enc(input), NODE),
      (e: unknown) => e instanceof MalformedMessageError && why.test(e.message),
      String(why),
    );
  }
});
