// Network attachments (`docker run --network` on an attachable overlay) over real sessions: an
// agent asks the leader's dispatcher for one, the real leader loops (allocator, scheduler,
// reaper) give it an address and send it to that node only, the network views of the nodes
// list it, a refusal comes back with Docker's status and message, and it goes when detached
// or once its node reports it stopped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../api/clock/clock.js';
import { parseCidr, parseCidrAddress } from '../../api/network/ipv4.js';
import { NetworkAttachmentError } from '../../agent/session/index.js';
import { applyDecision, removeNetwork } from '../../manager/controlapi/index.js';
import { createLeaderLoops } from '../../manager/leader-loops.js';
import { runControlLoops } from '../../manager/loop/run-loops.js';
import { newNetwork } from '../../manager/store/test/fixtures.js';
import { clusterStore, silent, startAgent, status, TestManager, waitFor } from './harness.js';

test('an agent attaches a container to an attachable overlay, and the attachment goes again', async (t) => {
  const store = await clusterStore(5000, ['n1', 'n2']);
  await store.update((tx) => {
    const att = newNetwork('netatt', 'attnet');
    tx.create('networks', { ...att, spec: { ...att.spec, attachable: true } });
    tx.create('networks', newNetwork('netplain', 'plain'));
  });
  const abort = new AbortController();
  const loops = createLeaderLoops({ store, clock: systemClock, logger: silent });
  const running = runControlLoops(loops.loops, abort.signal);
  const m = await TestManager.start(store);
  m.lead();
  const a1 = startAgent('n1', [m.addr]);
  const a2 = startAgent('n2', [m.addr]);
  t.after(async () => {
    await a1.agent.stop();
    await a2.agent.stop();
    await m.shutdown();
    abort.abort();
    await running;
  });
  await waitFor(() => a1.agent.session !== undefined && a2.agent.session !== undefined, 'sessions');

  const attached = await a1.agent.attachNetwork({ network: 'attnet', aliases: ['db'] });
  assert.equal(attached.networkId, 'netatt');
  assert.equal(attached.networkName, 'attnet');

  // The allocator gives it an address in the network's subnet and sends it to n1 at once.
  const task = await waitFor(() => {
    const t1 = a1.view.tasks.get(attached.attachmentId);
    return t1 !== undefined && t1.networksAttachments.length > 0 ? t1 : undefined;
  }, 'the attachment in n1 assignments');
  assert.equal(task.status.state, 'assigned');
  assert.deepEqual(task.spec.attachment, { containerId: '' });
  const address = task.networksAttachments[0]?.addresses[0] ?? '';
  const subnet = store.view((tx) => tx.get('networks', 'netatt')?.ipam?.configs[0]?.subnet ?? '');
  const ip = parseCidrAddress(address);
  const net = parseCidr(subnet);
  assert.ok(ip !== undefined && net !== undefined && ip.prefix === net.prefix, `${address} in ${subnet}`);
  assert.equal(a2.view.tasks.has(attached.attachmentId), false, 'only its own node gets it');

  // n1 takes part in the network, and its view lists the container's endpoint.
  const view = await waitFor(
    () => a1.view.network?.networks.find((n) => n.networkId === 'netatt'),
    'attnet in n1 network view',
  );
  const endpoint = view.endpoints.find((e) => e.kind === 'task' && e.taskId === attached.attachmentId);
  assert.ok(endpoint !== undefined && endpoint.kind === 'task');
  assert.deepEqual(endpoint.names, ['db'], 'the container answers to its names on the network');

  // While it holds the network, the network cannot be removed.
  const removal = store.view((tx) => removeNetwork(tx, 'netatt'));
  assert.ok('refusal' in removal);
  assert.match(removal.refusal.message, new RegExp(`in use by task ${attached.attachmentId}`));

  // Refusals travel back with Docker's status and message.
  const refusals: [string, number, RegExp][] = [
    ['nope', 404, /network nope not found/],
    ['plain', 403, /network plain not manually attachable/],
  ];
  for (const [network, httpStatus, message] of refusals) {
    await assert.rejects(a1.agent.attachNetwork({ network }), (e: unknown) => {
      assert.ok(e instanceof NetworkAttachmentError);
      assert.equal(e.httpStatus, httpStatus);
      assert.match(e.message, message);
      return true;
    });
  }
  await assert.rejects(a2.agent.detachNetwork(attached.attachmentId), /not found/);

  // Detached: gone from the store and from n1's assignments; its address is free again.
  await a1.agent.detachNetwork(attached.attachmentId);
  assert.equal(
    store.view((tx) => tx.get('tasks', attached.attachmentId)),
    undefined,
  );
  await waitFor(() => !a1.view.tasks.has(attached.attachmentId), 'the attachment leaves n1');

  // One whose container went is reported complete by its node; the reaper deletes it.
  const second = await a1.agent.attachNetwork({ network: 'netatt' });
  await waitFor(() => a1.view.tasks.get(second.attachmentId)?.status.state === 'assigned', 'assigned');
  for (const s of ['accepted', 'preparing', 'ready', 'starting', 'running', 'complete'] as const)
    a1.agent.reportStatus([{ taskId: second.attachmentId, status: status(s) }]);
  await waitFor(
    () => store.view((tx) => tx.get('tasks', second.attachmentId)) === undefined,
    'the reaper deletes the stopped attachment',
  );
  // The network can go now.
  await store.update((tx) => applyDecision(tx, removeNetwork(tx, 'netatt')));
});
