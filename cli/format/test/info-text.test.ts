// `shoal info`'s Swarm section, from what the API sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSwarmInfo } from '../info-text.js';
import type { DockerSystemInfo } from '../../client/types.js';

const swarm = (cluster: DockerSystemInfo['Swarm']['Cluster']): DockerSystemInfo => ({
  Swarm: {
    NodeID: 'n1',
    NodeAddr: '10.0.0.1',
    LocalNodeState: 'active',
    ControlAvailable: true,
    Error: '',
    RemoteManagers: [{ NodeID: 'n1', Addr: '10.0.0.1:2377' }],
    Nodes: 1,
    Managers: 1,
    ...(cluster === undefined ? {} : { Cluster: cluster }),
  },
});

test('a manager that cannot read its cluster yet (Cluster: {}) prints its state, no cluster section', () => {
  const out = formatSwarmInfo(swarm({}));
  assert.match(out, /Swarm: active/);
  assert.match(out, /Is Manager: true/);
  assert.doesNotMatch(out, /ClusterID/);
});

test('an inactive node prints only its state', () => {
  const info = swarm(undefined);
  const out = formatSwarmInfo({ Swarm: { ...info.Swarm, LocalNodeState: 'inactive' } });
  assert.equal(out, ' Swarm: inactive\n');
});
