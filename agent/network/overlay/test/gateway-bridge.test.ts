import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OverlayError } from '../errors.js';
import { forwardRules } from '../forward-accept.js';
import { EGRESS_TABLE, egressNatBatch, gatewayAddress, normalizeSubnet } from '../gateway-bridge.js';

test('the gateway is the first address of its subnet', () => {
  assert.equal(gatewayAddress('172.18.0.0/16'), '172.18.0.1');
  assert.equal(normalizeSubnet('172.18.5.7/16'), '172.18.0.0/16');
  assert.throws(() => normalizeSubnet('172.18.0.0/31'), OverlayError);
});

test('egress NAT replaces its own table in one transaction and masquerades what leaves the bridge', () => {
  const batch = egressNatBatch('172.18.0.0/16', 'shoal_gwbridge');
  const table = { family: 'ip', name: EGRESS_TABLE };
  assert.deepEqual(batch.slice(0, 3), [{ add: { table } }, { delete: { table } }, { add: { table } }]);
  const rule = JSON.stringify(batch[4]);
  assert.match(rule, /"prefix":\{"addr":"172\.18\.0\.0","len":16\}/);
  assert.match(rule, /"op":"!=","left":\{"meta":\{"key":"oifname"\}\},"right":"shoal_gwbridge"/);
  assert.match(rule, /"masquerade":null/);
  assert.match(JSON.stringify(batch[3]), /"hook":"postrouting"/);
});

test('FORWARD rules accept overlay frames, egress and published ports, marked as shoal’s', () => {
  const rules = forwardRules('shoal_gwbridge').map((r) => r.join(' '));
  assert.deepEqual(rules, [
    '-i ov-+ -o ov-+ -m comment --comment shoal -j ACCEPT',
    '-i shoal_gwbridge ! -o shoal_gwbridge -m comment --comment shoal -j ACCEPT',
    '-o shoal_gwbridge -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment shoal -j ACCEPT',
    '-m conntrack --ctstate DNAT -m comment --comment shoal -j ACCEPT',
    '-i ov-+ -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment shoal -j ACCEPT',
  ]);
});
