import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../../store/local-proposer.js';
import { newNode } from '../../store/test/fixtures.js';
import { AllocationLedger, ownerOfNode, ownerOfTask, ownerOfVip } from '../ledger.js';
import { parseIPv4 } from '../../../api/network/ipv4.js';
import { VXLANID_OPTION } from '../vni.js';
import { network, service, task } from './objects.js';

test('fromStore rebuilds networks, VIPs, ports, live task and node addresses; dead tasks hold nothing', async () => {
  const store = createLocalStore();
  await store.update((tx) => {
    const { meta: _m, ...n } = network('a', (x) => {
      x.ipam = { configs: [{ subnet: '10.0.1.0/24', gateway: '10.0.1.1' }] };
      x.driverState = { name: 'overlay', options: { [VXLANID_OPTION]: '4100' } };
    });
    tx.create('networks', n);
    const { meta: _n, ...unallocated } = network('b');
    tx.create('networks', unallocated);
    const { meta: _s, ...s } = service('s', ['a']);
    s.endpoint = {
      spec: { mode: 'vip', ports: [] },
      ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 30005, publishMode: 'ingress' }],
      virtualIPs: [{ networkId: 'a', addr: '10.0.1.2/24' }],
    };
    tx.create('services', s);
    const attach = (addr: string) => [{ networkId: 'a', addresses: [addr], aliases: [] }];
    const { meta: _t1, ...live } = task(
      't1',
      { ...s, meta: _s },
      (t) => (t.networksAttachments = attach('10.0.1.3/24')),
    );
    tx.create('tasks', live);
    const { meta: _t2, ...dead } = task('t2', { ...s, meta: _s }, (t) => {
      t.networksAttachments = attach('10.0.1.4/24');
      t.desiredState = 'shutdown';
      t.status = { ...t.status, state: 'shutdown' };
    });
    tx.create('tasks', dead);
    // Claims an address the live task holds: reported, not taken.
    const { meta: _t3, ...twin } = task(
      't3',
      { ...s, meta: _s },
      (t) => (t.networksAttachments = attach('10.0.1.3/24')),
    );
    tx.create('tasks', twin);
    const node = newNode('n1');
    node.attachments = [{ networkId: 'a', addresses: ['10.0.1.9/24'] }];
    tx.create('nodes', node);
  });
  const clashes: string[] = [];
  const ledger = store.view((tx) => AllocationLedger.fromStore(tx, (w) => clashes.push(w)));
  const pool = ledger.network('a')!.pool;
  assert.equal(ledger.network('a')!.vni, 4100);
  assert.equal(ledger.network('b'), undefined);
  assert.equal(pool.ownerOf(parseIPv4('10.0.1.2')!), ownerOfVip('s'));
  assert.equal(pool.ownerOf(parseIPv4('10.0.1.3')!), ownerOfTask('t1'));
  assert.equal(pool.ownerOf(parseIPv4('10.0.1.4')!), undefined);
  assert.equal(pool.ownerOf(parseIPv4('10.0.1.9')!), ownerOfNode('n1'));
  assert.equal(ledger.ports.ownerOf('tcp', 30005), 's');
  assert.deepEqual(clashes, ['task t3 address 10.0.1.3/24']);
  assert.equal(ledger.nextVni(), 4101, 'VNIs continue after the highest in use');
});
