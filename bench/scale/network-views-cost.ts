// What one task starting on a shared overlay costs the leader's network views, in one process
// (no gRPC, no Raft: the figure the scale bench's noise hides). N nodes each run tasks on one
// overlay; then tasks start one at a time, and after each every node's view is brought up to
// date and encoded for it, as the dispatcher does: incrementally (NetworkViews fed the store's
// changes), and as it was before, from a whole read of the store (ClusterNetworkViews.read, a
// view per node, a diff of the network against the previous read).
//
// Usage: node dist/bench/scale/network-views-cost.js [nodes=200] [tasks=10000] [starts=200]

import { createLocalStore, type ChangeEvent } from '../../manager/store/index.js';
import { allocatedNetwork, newNode, newTask } from '../../manager/store/test/fixtures.js';
import { ClusterNetworkViews } from '../../manager/network/cluster-network-views.js';
import { diffNetwork } from '../../api/network/network-view-update.js';
import { formatIPv4 } from '../../api/network/ipv4.js';
import { affectsNetworkViews, NetworkViews } from '../../manager/dispatcher/network-views.js';

const [nodes = 200, tasks = 10_000, starts = 200] = process.argv.slice(2).map(Number);
const BASE = (10 << 24) | (128 << 16);

function running(i: number): ReturnType<typeof newTask> {
  const t = newTask(`t${i}`, 's1', i, `n${i % nodes}`);
  t.status = { ...t.status, state: 'running' };
  t.networksAttachments = [
    { networkId: 'overnet', addresses: [`${formatIPv4(BASE + 2 + i)}/16`], aliases: [] },
  ];
  return t;
}

const store = createLocalStore();
await store.update((tx) => {
  tx.create('networks', allocatedNetwork('overnet', '10.128.0.0/16', 4097));
  for (let i = 0; i < nodes; i++) tx.create('nodes', newNode(`n${i}`));
});
for (let i = 0; i < tasks; i += 1000)
  await store.update((tx) => {
    for (let j = i; j < Math.min(tasks, i + 1000); j++) tx.create('tasks', running(j));
  });

const watcher = store.watch({});
const views = new NetworkViews(store);
const held = new Map<string, ReadonlyMap<string, string>>();
for (let i = 0; i < nodes; i++) {
  const v = views.of(`n${i}`);
  views.encode(v);
  held.set(`n${i}`, v.networkDigests);
}
watcher.drain();

let bytes = 0;
let t0 = performance.now();
for (let k = 0; k < starts; k++) {
  await store.update((tx) => tx.create('tasks', running(tasks + k)));
  const changes = watcher.drain().filter((e): e is ChangeEvent => e.action !== 'commit');
  views.apply(changes.filter(affectsNetworkViews));
  for (let i = 0; i < nodes; i++) {
    const v = views.of(`n${i}`);
    const text = views.encode(v, held.get(`n${i}`));
    if (i === 0) bytes += Buffer.byteLength(text);
    held.set(`n${i}`, v.networkDigests);
  }
}
const incremental = (performance.now() - t0) / starts;
const perChange = bytes / starts;

let previous = store.view((tx) => ClusterNetworkViews.read(tx));
t0 = performance.now();
for (let k = 0; k < starts; k++) {
  await store.update((tx) => tx.create('tasks', running(tasks + starts + k)));
  const current = store.view((tx) => ClusterNetworkViews.read(tx));
  for (let i = 0; i < nodes; i++) current.digested(`n${i}`);
  const before = previous.network('overnet');
  const after = current.network('overnet');
  if (before !== undefined && after !== undefined) JSON.stringify(diffNetwork(before.view, after.view));
  previous = current;
}
const whole = (performance.now() - t0) / starts;
console.log(
  `network views, one task start on an overlay of ${tasks} tasks, ${nodes} nodes: ` +
    `incremental ${incremental.toFixed(2)} ms (every node updated and encoded, ${Math.round(perChange)} bytes to one node), ` +
    `whole read ${whole.toFixed(2)} ms (${(whole / incremental).toFixed(0)}x)`,
);
