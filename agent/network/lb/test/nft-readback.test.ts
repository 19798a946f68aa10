// Reading shoal's tables back from what `nft -j list table` printed (captured from nft 1.0.6 after
// applying the specs in the comments below), and refusing shapes shoal did not write.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NftUnreadableError } from '../errors.js';
import { readNodeTable, readSandboxTable } from '../nft-readback.js';

// services 10.0.0.100 → [10.0.0.3], 10.0.0.101 → [], 10.0.0.102 → [10.0.0.2, 10.0.0.3];
// DNS 127.0.0.11 udp 40000 tcp 40001
const SANDBOX_LISTING: unknown[] = JSON.parse(
  '[{"table":{"family":"ip","name":"shoal_lb","handle":6}},{"map":{"family":"ip","name":"vips","table":"shoal_lb","type":"ipv4_addr","handle":1,"map":"verdict","elem":[["10.0.0.100",{"goto":{"target":"vip-10-0-0-100"}}],["10.0.0.101",{"goto":{"target":"vip-10-0-0-101"}}],["10.0.0.102",{"goto":{"target":"vip-10-0-0-102"}}]]}},{"chain":{"family":"ip","table":"shoal_lb","name":"dns","handle":2}},{"chain":{"family":"ip","table":"shoal_lb","name":"vip-10-0-0-100","handle":5}},{"chain":{"family":"ip","table":"shoal_lb","name":"vip-10-0-0-101","handle":9}},{"chain":{"family":"ip","table":"shoal_lb","name":"vip-10-0-0-102","handle":13}},{"chain":{"family":"ip","table":"shoal_lb","name":"nat-output","handle":17,"type":"nat","hook":"output","prio":-110,"policy":"accept"}},{"rule":{"family":"ip","table":"shoal_lb","chain":"dns","handle":3,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":"127.0.0.11"}},{"match":{"op":"==","left":{"payload":{"protocol":"udp","field":"dport"}},"right":53}},{"dnat":{"addr":"127.0.0.11","port":40000}}]}},{"rule":{"family":"ip","table":"shoal_lb","chain":"dns","handle":4,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":"127.0.0.11"}},{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":53}},{"dnat":{"addr":"127.0.0.11","port":40001}}]}},{"rule":{"family":"ip","table":"shoal_lb","chain":"vip-10-0-0-100","handle":6,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"icmp","field":"type"}},"right":"echo-request"}},{"dnat":{"addr":"127.0.0.1"}}]}},{"rule":{"family":"ip","table":"shoal_lb","chain":"vip-10-0-0-100","handle":8,"expr":[{"dnat":{"addr":{"map":{"key":{"numgen":{"mode":"inc","mod":1,"offset":0}},"data":{"set":[[0,"10.0.0.3"]]}}}}}]}},{"rule":{"family":"ip","table":"shoal_lb","chain":"vip-10-0-0-101","handle":10,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"icmp","field":"type"}},"right":"echo-request"}},{"dnat":{"addr":"127.0.0.1"}}]}},{"rule":{"family":"ip","table":"shoal_lb","chain":"vip-10-0-0-101","handle":11,"expr":[{"reject":{"type":"tcp reset"}}]}},{"rule":{"family":"ip","table":"shoal_lb","chain":"vip-10-0-0-101","handle":12,"expr":[{"reject":{"type":"icmp","expr":"port-unreachable"}}]}},{"rule":{"family":"ip","table":"shoal_lb","chain":"vip-10-0-0-102","handle":14,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"icmp","field":"type"}},"right":"echo-request"}},{"dnat":{"addr":"127.0.0.1"}}]}},{"rule":{"family":"ip","table":"shoal_lb","chain":"vip-10-0-0-102","handle":16,"expr":[{"dnat":{"addr":{"map":{"key":{"numgen":{"mode":"inc","mod":2,"offset":0}},"data":{"set":[[0,"10.0.0.2"],[1,"10.0.0.3"]]}}}}}]}},{"rule":{"family":"ip","table":"shoal_lb","chain":"nat-output","handle":18,"expr":[{"jump":{"target":"dns"}}]}},{"rule":{"family":"ip","table":"shoal_lb","chain":"nat-output","handle":19,"expr":[{"vmap":{"key":{"payload":{"protocol":"ip","field":"daddr"}},"data":"@vips"}}]}}]',
) as unknown[];

// ingress 10.255.0.0/16; tcp 8080 → 80 [10.255.0.5, 10.255.0.6]; udp 53 (no backend)
const NODE_LISTING: unknown[] = JSON.parse(
  '[{"table":{"family":"ip","name":"shoal_mesh","handle":8}},{"map":{"family":"ip","name":"ports","table":"shoal_mesh","type":["inet_proto","inet_service"],"handle":1,"map":"verdict","elem":[[{"concat":["udp",53]},{"goto":{"target":"port-udp-53"}}],[{"concat":["tcp",8080]},{"goto":{"target":"port-tcp-8080"}}]]}},{"chain":{"family":"ip","table":"shoal_mesh","name":"port-tcp-8080","handle":2}},{"chain":{"family":"ip","table":"shoal_mesh","name":"port-udp-53","handle":5}},{"chain":{"family":"ip","table":"shoal_mesh","name":"nat-prerouting","handle":7,"type":"nat","hook":"prerouting","prio":-110,"policy":"accept"}},{"chain":{"family":"ip","table":"shoal_mesh","name":"nat-output","handle":9,"type":"nat","hook":"output","prio":-110,"policy":"accept"}},{"chain":{"family":"ip","table":"shoal_mesh","name":"nat-postrouting","handle":11,"type":"nat","hook":"postrouting","prio":100,"policy":"accept"}},{"rule":{"family":"ip","table":"shoal_mesh","chain":"port-tcp-8080","handle":4,"expr":[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"tcp"}},{"dnat":{"addr":{"map":{"key":{"numgen":{"mode":"inc","mod":2,"offset":0}},"data":{"set":[[0,"10.255.0.5"],[1,"10.255.0.6"]]}}},"port":80}}]}},{"rule":{"family":"ip","table":"shoal_mesh","chain":"port-udp-53","handle":6,"expr":[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"udp"}},{"reject":{"type":"icmp","expr":"port-unreachable"}}]}},{"rule":{"family":"ip","table":"shoal_mesh","chain":"nat-prerouting","handle":8,"expr":[{"match":{"op":"==","left":{"fib":{"result":"type","flags":["daddr"]}},"right":"local"}},{"vmap":{"key":{"concat":[{"meta":{"key":"l4proto"}},{"payload":{"protocol":"th","field":"dport"}}]},"data":"@ports"}}]}},{"rule":{"family":"ip","table":"shoal_mesh","chain":"nat-output","handle":10,"expr":[{"match":{"op":"!=","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"127.0.0.0","len":8}}}},{"match":{"op":"==","left":{"fib":{"result":"type","flags":["daddr"]}},"right":"local"}},{"vmap":{"key":{"concat":[{"meta":{"key":"l4proto"}},{"payload":{"protocol":"th","field":"dport"}}]},"data":"@ports"}}]}},{"rule":{"family":"ip","table":"shoal_mesh","chain":"nat-postrouting","handle":12,"expr":[{"match":{"op":"in","left":{"ct":{"key":"status"}},"right":"dnat"}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":{"prefix":{"addr":"10.255.0.0","len":16}}}},{"masquerade":null}]}}]',
) as unknown[];

/** The listing as shoal writes the table now: the exemption of ports keeping the client's address first. */
const EXEMPTION: unknown = JSON.parse(
  '{"rule":{"family":"ip","table":"shoal_mesh","chain":"nat-postrouting","handle":13,"expr":[{"match":{"op":"==","left":{"meta":{"key":"mark"}},"right":1397246977}},{"accept":null}]}}',
);
const CURRENT_NODE_LISTING: unknown[] = [...NODE_LISTING, EXEMPTION];

test('a sandbox table reads back as the spec that programmed it', () => {
  const spec = readSandboxTable(SANDBOX_LISTING);
  assert.deepEqual(
    [...spec.services],
    [
      ['10.0.0.100', ['10.0.0.3']],
      ['10.0.0.101', []],
      ['10.0.0.102', ['10.0.0.2', '10.0.0.3']],
    ],
  );
  assert.deepEqual(spec.dns, { address: '127.0.0.11', udpPort: 40000, tcpPort: 40001 });
});

test('a node table written before ports could keep the client reads as unmasqueraded (rewritten next)', () => {
  assert.equal(readNodeTable(NODE_LISTING).ingressSubnet, undefined);
});

test('a port chain that sets the mark reads back as keeping the client address', () => {
  const listing = CURRENT_NODE_LISTING.map(
    (i) =>
      JSON.parse(
        JSON.stringify(i).replace(
          '{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"tcp"}},',
          '{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":"tcp"}},{"mangle":{"key":{"meta":{"key":"mark"}},"value":1397246977}},',
        ),
      ) as unknown,
  );
  assert.equal(readNodeTable(listing).ports.get('tcp/8080')?.preserveClientIp, true);
  assert.equal(readNodeTable(CURRENT_NODE_LISTING).ports.get('tcp/8080')?.preserveClientIp, undefined);
});

test('a node table reads back as the spec that programmed it', () => {
  const spec = readNodeTable(CURRENT_NODE_LISTING);
  assert.equal(spec.ingressSubnet, '10.255.0.0/16');
  assert.deepEqual(spec.ports.get('tcp/8080'), {
    protocol: 'tcp',
    publishedPort: 8080,
    targetPort: 80,
    mode: 'ingress',
    backends: ['10.255.0.5', '10.255.0.6'],
  });
  assert.deepEqual(spec.ports.get('udp/53')?.backends, []);
  assert.equal(spec.ports.size, 2);
});

const unreadable: [string, () => unknown][] = [
  [
    'a sandbox table without its base chain',
    () => readSandboxTable(SANDBOX_LISTING.filter((i) => !JSON.stringify(i).includes('"name":"nat-output"'))),
  ],
  [
    'a sandbox table without the vips map',
    () => readSandboxTable(SANDBOX_LISTING.filter((i) => !JSON.stringify(i).startsWith('{"map"'))),
  ],
  [
    'a VIP whose chain has no rule',
    () =>
      readSandboxTable(
        SANDBOX_LISTING.filter((i) => !JSON.stringify(i).includes('"chain":"vip-10-0-0-102","handle":16')),
      ),
  ],
  [
    'a node table without postrouting',
    () => readNodeTable(NODE_LISTING.filter((i) => !JSON.stringify(i).includes('nat-postrouting'))),
  ],
  ['a foreign table', () => readNodeTable([{ table: { family: 'ip', name: 'shoal_mesh' } }])],
];
for (const [name, read] of unreadable) {
  test(`unreadable: ${name}`, () => {
    assert.throws(read, NftUnreadableError);
  });
}
