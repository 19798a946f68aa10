// `shoal info`: the server part of `docker info`, Swarm section included.
import type { DockerSystemInfo } from '../client/types.js';
import { bytesSize } from './byte-units.js';
import { humanDuration } from './human-duration.js';

function line(label: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `${label} ${String(value)}\n`;
}

export function formatSwarmInfo(info: DockerSystemInfo): string {
  const s = info.Swarm;
  let out = ` Swarm: ${s.LocalNodeState === '' ? 'inactive' : s.LocalNodeState}\n`;
  if (s.LocalNodeState === 'inactive' || s.LocalNodeState === 'locked' || s.LocalNodeState === '') return out;
  out += `  NodeID: ${s.NodeID}\n`;
  if (s.Error !== '') out += `  Error: ${s.Error}\n`;
  out += `  Is Manager: ${String(s.ControlAvailable)}\n`;
  const c = s.Cluster;
  // A manager that cannot read its cluster yet sends `Cluster: {}`: print no cluster section.
  if (
    c !== undefined &&
    'Spec' in c &&
    s.ControlAvailable &&
    s.Error === '' &&
    s.LocalNodeState !== 'error'
  ) {
    out += `  ClusterID: ${c.ID}\n  Managers: ${s.Managers ?? 0}\n  Nodes: ${s.Nodes ?? 0}\n`;
    if (c.DefaultAddrPool !== undefined && c.DefaultAddrPool !== null) {
      out += `  Default Address Pool: ${c.DefaultAddrPool.map((p) => `${p}  `).join('')}\n`;
      out += `  SubnetSize: ${c.SubnetSize ?? 0}\n`;
    }
    if ((c.DataPathPort ?? 0) > 0) out += `  Data Path Port: ${c.DataPathPort ?? 0}\n`;
    out += '  Orchestration:\n';
    out += `   Task History Retention Limit: ${c.Spec.Orchestration?.TaskHistoryRetentionLimit ?? 0}\n`;
    out += '  Raft:\n';
    out += `   Snapshot Interval: ${c.Spec.Raft?.SnapshotInterval ?? 0}\n`;
    if (c.Spec.Raft?.KeepOldSnapshots !== undefined) {
      out += `   Number of Old Snapshots to Retain: ${c.Spec.Raft.KeepOldSnapshots}\n`;
    }
    out += `   Heartbeat Tick: ${c.Spec.Raft?.HeartbeatTick ?? 0}\n`;
    out += `   Election Tick: ${c.Spec.Raft?.ElectionTick ?? 0}\n`;
    out += `  Dispatcher:\n   Heartbeat Period: ${humanDuration((c.Spec.Dispatcher?.HeartbeatPeriod ?? 0) / 1e6)}\n`;
    out += `  CA Configuration:\n   Expiry Duration: ${humanDuration((c.Spec.CAConfig?.NodeCertExpiry ?? 0) / 1e6)}\n`;
    out += '   Force Rotate: 0\n';
    out += `  Autolock Managers: ${String(c.Spec.EncryptionConfig?.AutoLockManagers ?? false)}\n`;
    out += `  Root Rotation In Progress: ${String(c.RootRotationInProgress ?? false)}\n`;
  }
  out += `  Node Address: ${s.NodeAddr}\n`;
  const managers = (s.RemoteManagers ?? []).map((m) => m.Addr).sort();
  if (managers.length > 0) out += `  Manager Addresses:\n${managers.map((m) => `   ${m}\n`).join('')}`;
  return out;
}

export function formatInfo(info: DockerSystemInfo, clientVersion: string): string {
  let out = `Client:\n Version:    ${clientVersion}\n Debug Mode: false\n\nServer:\n`;
  if (info.Containers !== undefined) {
    out += ` Containers: ${info.Containers}\n  Running: ${info.ContainersRunning ?? 0}\n`;
    out += `  Paused: ${info.ContainersPaused ?? 0}\n  Stopped: ${info.ContainersStopped ?? 0}\n`;
  }
  out += line(' Images:', info.Images);
  out += line(' Server Version:', info.ServerVersion);
  out += line(' Storage Driver:', info.Driver);
  out += line(' Logging Driver:', info.LoggingDriver);
  out += line(' Cgroup Driver:', info.CgroupDriver);
  out += line(' Cgroup Version:', info.CgroupVersion);
  out += formatSwarmInfo(info);
  out += line(' Kernel Version:', info.KernelVersion);
  out += line(' Operating System:', info.OperatingSystem);
  out += line(' OSType:', info.OSType);
  out += line(' Architecture:', info.Architecture);
  out += line(' CPUs:', info.NCPU);
  out += line(' Total Memory:', info.MemTotal === undefined ? undefined : bytesSize(info.MemTotal));
  out += line(' Name:', info.Name);
  out += line(' ID:', info.ID);
  out += line(' Docker Root Dir:', info.DockerRootDir);
  out += ` Debug Mode: ${String(info.Debug ?? false)}\n`;
  if ((info.Labels ?? []).length > 0)
    out += ` Labels:\n${(info.Labels ?? []).map((l) => `  ${l}\n`).join('')}`;
  return `${out}\n`;
}
