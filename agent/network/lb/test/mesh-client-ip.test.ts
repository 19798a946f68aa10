// The routing mesh keeping the client's address, in its pure parts: from the view to the specs,
// the node table's mark and masquerade exemption (written, read back, diffed), and the task
// sandbox's reply rules and policy routes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeNetworkView, OverlayNetworkView } from '../../../../api/network/network-view.js';
import { meshClientIpMode } from '../../../../api/mesh-client-ip.js';
import { nodeChanges as diffNode } from '../lb-diff.js';
import { meshReplySpecFromView, nodeSpecFromView } from '../lb-from-view.js';
import { normalizeNodeSpec } from '../lb-spec.js';
import {
  heldMarks,
  heldUdpPorts,
  markOf,
  meshReplyRuleset,
  replyRouteLines,
  REPLY_RULE_PRIORITY,
  UDP_SOURCE_RULE_PRIORITY,
  UDP_SOURCE_TABLE,
} from '../mesh-reply.js';
import { nodeRuleset, PRESERVE_CLIENT_IP_MARK } from '../nft-ruleset.js';

const ingress = (preserve: boolean): OverlayNetworkView => ({
  networkId: 'net-ingress',
  name: 'ingress',
  vni: 4096,
  subnet: '10.0.0.0/24',
  gateway: '10.0.0.1',
  internal: false,
  attachable: false,
  ingress: true,
  endpoints: [
    {
      kind: 'ingress-sandbox',
      nodeId: 'n1',
      nodeAddr: '192.168.1.1',
      address: '10.0.0.2/24',
      mac: '02:42:0a:00:00:02',
    },
    {
      kind: 'ingress-sandbox',
      nodeId: 'n2',
      nodeAddr: '192.168.1.2',
      address: '10.0.0.3/24',
      mac: '02:42:0a:00:00:03',
    },
  ],
  services: [
    {
      serviceId: 'svc-keep',
      name: 'keep',
      endpointMode: 'vip',
      vip: '10.0.0.9',
      aliases: [],
      ports: [
        {
          protocol: 'tcp',
          targetPort: 80,
          publishedPort: 8080,
          publishMode: 'ingress',
          ...(preserve ? { clientIp: 'preserve' as const } : {}),
        },
        {
          protocol: 'udp',
          targetPort: 53,
          publishedPort: 8053,
          publishMode: 'ingress',
          ...(preserve ? { clientIp: 'preserve' as const } : {}),
        },
      ],
      backends: [{ taskId: 't1', address: '10.0.0.5', nodeId: 'n1', healthy: true }],
    },
  ],
});

const view = (preserve: boolean): NodeNetworkView => ({
  nodeId: 'n1',
  networks: [ingress(preserve)],
  ingressAddress: '10.0.0.2/24',
});

test('the label: absent or masquerade is Swarm’s mesh, preserve keeps the client, anything else is refused', () => {
  assert.equal(meshClientIpMode({}), 'masquerade');
  assert.equal(meshClientIpMode({ 'shoal.mesh.client-ip': 'masquerade' }), 'masquerade');
  assert.equal(meshClientIpMode({ 'shoal.mesh.client-ip': 'preserve' }), 'preserve');
  assert.equal(meshClientIpMode({ 'shoal.mesh.client-ip': 'Preserve!' }), undefined);
});

test('a preserve port is marked and exempt from the masquerade; others are as before', () => {
  const spec = normalizeNodeSpec(nodeSpecFromView(view(true)));
  assert.equal(spec.ports.get('tcp/8080')?.preserveClientIp, true);
  const plain = normalizeNodeSpec(nodeSpecFromView(view(false)));
  assert.equal(plain.ports.get('tcp/8080')?.preserveClientIp, undefined);
  const json = JSON.stringify(nodeRuleset(spec, true));
  assert.match(
    json,
    new RegExp(`"mangle":\\{"key":\\{"meta":\\{"key":"mark"\\}\\},"value":${PRESERVE_CLIENT_IP_MARK}\\}`),
  );
  // The exemption comes before the masquerade in postrouting.
  const post = nodeRuleset(spec, true).filter((c) =>
    JSON.stringify(c).includes('"chain":"nat-postrouting","expr"'),
  );
  assert.equal(post.length, 2);
  assert.match(JSON.stringify(post[0]), /"accept":null/);
  assert.match(JSON.stringify(post[1]), /"masquerade":null/);
  // Turning the label on or off rewrites the port's chain.
  assert.ok(diffNode(plain, spec).some((c) => JSON.stringify(c).includes('port-tcp-8080')));
  assert.deepEqual(diffNode(spec, spec), []);
});

test('the sandbox reply spec: only for a backend of a preserve service, with every node and the UDP ports', () => {
  assert.deepEqual(meshReplySpecFromView(view(true), 't1'), {
    address: '10.0.0.5',
    subnet: '10.0.0.0/24',
    nodes: ['10.0.0.2', '10.0.0.3'],
    udpPorts: [53],
  });
  assert.equal(meshReplySpecFromView(view(true), 'other'), undefined);
  assert.equal(meshReplySpecFromView(view(false), 't1'), undefined);
});

test('the mark of a node is its address as the frame’s bytes land in a 32-bit mark', () => {
  assert.equal(markOf('10.0.0.4', 'BE'), 0x0a000004);
  assert.equal(markOf('10.0.0.4', 'LE'), 0x0400000a);
  assert.equal(markOf('192.168.200.1', 'LE'), 0x01c8a8c0);
});

test('the sandbox table marks new connections from outside the ingress subnet and routes their replies', () => {
  const spec = { address: '10.0.0.5', subnet: '10.0.0.0/24', nodes: ['10.0.0.2'], udpPorts: [] };
  const json = JSON.stringify(meshReplyRuleset(spec));
  assert.match(json, /"payload":\{"base":"ll","offset":64,"len":32\}/);
  assert.match(json, /"right":"10.0.0.5"/);
  assert.match(
    json,
    /"op":"!=","left":\{"payload":\{"protocol":"ip","field":"saddr"\}\},"right":\{"prefix":\{"addr":"10.0.0.0","len":24\}\}/,
  );
  assert.match(json, /"type":"route","hook":"output"/);
  assert.throws(() => meshReplyRuleset({ ...spec, address: 'x' }), /not IPv4/);
  assert.throws(() => meshReplyRuleset({ ...spec, udpPorts: [70000] }), /not a port/);
});

test('policy routes: one rule and table per node, changed by difference; UDP ports get the source rule', () => {
  const m2 = markOf('10.0.0.2');
  const m3 = markOf('10.0.0.3');
  const spec = {
    address: '10.0.0.5',
    subnet: '10.0.0.0/24',
    nodes: ['10.0.0.2', '10.0.0.3'],
    udpPorts: [53],
  };
  const fresh = replyRouteLines(spec, [], 'eth0');
  assert.deepEqual(fresh, [
    `rule add priority ${REPLY_RULE_PRIORITY} fwmark ${m2} lookup ${m2}`,
    `route replace default via 10.0.0.2 dev eth0 onlink table ${m2}`,
    `rule add priority ${REPLY_RULE_PRIORITY} fwmark ${m3} lookup ${m3}`,
    `route replace default via 10.0.0.3 dev eth0 onlink table ${m3}`,
    `rule add priority ${UDP_SOURCE_RULE_PRIORITY} ipproto udp sport 53 lookup ${UDP_SOURCE_TABLE}`,
    `route replace default via 10.0.0.2 dev eth0 onlink src 10.0.0.5 table ${UDP_SOURCE_TABLE}`,
  ]);
  // A node gone, the UDP port gone: their rules go, nothing is added twice.
  const next = replyRouteLines({ ...spec, nodes: ['10.0.0.3'], udpPorts: [] }, [m2, m3], 'eth0', [53]);
  assert.deepEqual(next, [
    `rule del priority ${REPLY_RULE_PRIORITY} fwmark ${m2} lookup ${m2}`,
    `route flush table ${m2}`,
    `route replace default via 10.0.0.3 dev eth0 onlink table ${m3}`,
    `rule del priority ${UDP_SOURCE_RULE_PRIORITY} ipproto udp sport 53 lookup ${UDP_SOURCE_TABLE}`,
    `route flush table ${UDP_SOURCE_TABLE}`,
  ]);
  // The service no longer keeps the client: everything shoal added goes.
  assert.deepEqual(replyRouteLines(undefined, [m3], undefined), [
    `rule del priority ${REPLY_RULE_PRIORITY} fwmark ${m3} lookup ${m3}`,
    `route flush table ${m3}`,
  ]);
});

test('held rules are read from `ip -j rule show`, and only shoal’s', () => {
  const rules = [
    { priority: 0, src: 'all', table: 'local' },
    { priority: REPLY_RULE_PRIORITY, src: 'all', fwmark: '0x400000a', table: '67108874' },
    {
      priority: UDP_SOURCE_RULE_PRIORITY,
      src: 'all',
      ipproto: 'udp',
      sport: 53,
      table: String(UDP_SOURCE_TABLE),
    },
    { priority: 32766, src: 'all', table: 'main' },
    { priority: 9000, src: 'all', fwmark: '0x7', table: '7' },
  ];
  assert.deepEqual(heldMarks(rules), [0x0400000a]);
  assert.deepEqual(heldUdpPorts(rules), [53]);
});
