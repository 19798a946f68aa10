// The cluster object as Docker's Swarm / ClusterInfo, and Docker's swarm Spec merged onto a
// stored ClusterSpec (POST /swarm/update sends the whole spec; a zero or absent field keeps
// the current value, as swarmkit falls back to its defaults for them; Labels and TaskDefaults,
// which have no default, are taken as given).

import type { Cluster, ClusterSpec } from '../../store/index.js';
import type { TaskDefaults } from '../../../api/objects/index.js';
import { invalidParameter } from '../errors.js';
import type { DockerSwarmSpec } from '../../../api/docker/swarm.js';
import type { DockerClusterInfo, DockerSwarm } from '../../../api/docker/cluster.js';
import { durationFromStore, durationToStore } from './duration.js';
import { metaFromStore } from './meta.js';
import { tlsInfoOf } from './tls-info.js';
import { desiredRootPem } from '../../../ca/cluster-roots.js';

export function swarmSpecFromStore(s: ClusterSpec): DockerSwarmSpec {
  const out: DockerSwarmSpec = {
    Name: s.name,
    Labels: { ...s.labels },
    Orchestration: { TaskHistoryRetentionLimit: s.orchestration.taskHistoryRetentionLimit },
    Raft: {
      SnapshotInterval: s.raft.snapshotInterval,
      KeepOldSnapshots: s.raft.keepOldSnapshots,
      LogEntriesForSlowFollowers: s.raft.logEntriesForSlowFollowers,
      ElectionTick: s.raft.electionTick,
      HeartbeatTick: s.raft.heartbeatTick,
    },
    Dispatcher: {
      HeartbeatPeriod: durationFromStore(s.dispatcher.heartbeatPeriod, s.dispatcher.heartbeatPeriodNs),
    },
    CAConfig: { NodeCertExpiry: durationFromStore(s.caConfig.nodeCertExpiry, s.caConfig.nodeCertExpiryNs) },
    TaskDefaults: taskDefaultsFromStore(s.taskDefaults),
    EncryptionConfig: { AutoLockManagers: s.encryptionConfig.autoLockManagers },
  };
  if (s.caConfig.externalCAs.length > 0) {
    out.CAConfig!.ExternalCAs = s.caConfig.externalCAs.map((ca) => ({
      Protocol: ca.protocol,
      URL: ca.url,
      Options: { ...ca.options },
      CACert: ca.caCert,
    }));
  }
  if (s.caConfig.forceRotate !== 0) out.CAConfig!.ForceRotate = s.caConfig.forceRotate;
  return out;
}

/** Docker's TaskDefaults: `{}` without a default log driver; Options left out when empty. */
function taskDefaultsFromStore(t: TaskDefaults | undefined): NonNullable<DockerSwarmSpec['TaskDefaults']> {
  const d = t?.logDriver;
  if (d === undefined) return {};
  return {
    LogDriver: {
      Name: d.name,
      ...(Object.keys(d.options).length === 0 ? {} : { Options: { ...d.options } }),
    },
  };
}

/**
 * The spec's TaskDefaults as the store keeps them: as given (the whole spec is sent, so an
 * absent LogDriver clears the default, as in Docker).
 */
export function taskDefaultsToStore(d: DockerSwarmSpec['TaskDefaults']): TaskDefaults | undefined {
  const log = d?.LogDriver;
  if (log === undefined) return undefined;
  return { logDriver: { name: log.Name ?? '', options: { ...(log.Options ?? {}) } } };
}

/**
 * A duration of the spec: the given one (in milliseconds, with its exact nanoseconds when
 * they are not whole milliseconds), or the current one when the request leaves it zero.
 */
function kept<K extends string>(
  given: number | undefined,
  currentMs: number,
  currentNs: number | undefined,
  key: K,
): Record<K, number> & Partial<Record<`${K}Ns`, number>> {
  const d = given === undefined || given === 0 ? { ms: currentMs, ns: currentNs } : durationToStore(given);
  const out: Record<string, number> = { [key]: d.ms };
  if (d.ns !== undefined) out[`${key}Ns`] = d.ns;
  return out as Record<K, number> & Partial<Record<`${K}Ns`, number>>;
}

function positive(value: number | undefined, current: number): number {
  return value === undefined || value === 0 ? current : value;
}

/**
 * Merges Docker's Spec onto the current one (Labels are always taken as given). Value ranges
 * are the control layer's (controlapi/swarm-rules.ts).
 */
export function swarmSpecToStore(d: DockerSwarmSpec, current: ClusterSpec): ClusterSpec {
  const heartbeat = d.Dispatcher?.HeartbeatPeriod;
  const expiry = d.CAConfig?.NodeCertExpiry;
  const externalCAs = d.CAConfig?.ExternalCAs;
  for (const ca of externalCAs ?? []) {
    if ((ca.Protocol ?? '').toLowerCase() !== 'cfssl') {
      throw invalidParameter(`invalid protocol: ${JSON.stringify(ca.Protocol ?? '')}`);
    }
  }
  const taskDefaults = taskDefaultsToStore(d.TaskDefaults);
  return {
    name: d.Name === undefined || d.Name === '' ? current.name : d.Name,
    labels: { ...(d.Labels ?? {}) },
    orchestration: {
      taskHistoryRetentionLimit:
        d.Orchestration?.TaskHistoryRetentionLimit ?? current.orchestration.taskHistoryRetentionLimit,
    },
    raft: {
      snapshotInterval: positive(d.Raft?.SnapshotInterval, current.raft.snapshotInterval),
      keepOldSnapshots: d.Raft?.KeepOldSnapshots ?? current.raft.keepOldSnapshots,
      logEntriesForSlowFollowers: positive(
        d.Raft?.LogEntriesForSlowFollowers,
        current.raft.logEntriesForSlowFollowers,
      ),
      electionTick: positive(d.Raft?.ElectionTick, current.raft.electionTick),
      heartbeatTick: positive(d.Raft?.HeartbeatTick, current.raft.heartbeatTick),
    },
    dispatcher: kept(
      heartbeat,
      current.dispatcher.heartbeatPeriod,
      current.dispatcher.heartbeatPeriodNs,
      'heartbeatPeriod',
    ),
    caConfig: {
      ...kept(expiry, current.caConfig.nodeCertExpiry, current.caConfig.nodeCertExpiryNs, 'nodeCertExpiry'),
      externalCAs:
        externalCAs === undefined
          ? current.caConfig.externalCAs.map((ca) => ({ ...ca, options: { ...ca.options } }))
          : externalCAs.map((ca) => ({
              protocol: 'cfssl' as const,
              url: ca.URL ?? '',
              options: { ...(ca.Options ?? {}) },
              caCert: ca.CACert ?? '',
            })),
      forceRotate: d.CAConfig?.ForceRotate ?? current.caConfig.forceRotate,
    },
    encryptionConfig: {
      autoLockManagers: d.EncryptionConfig?.AutoLockManagers ?? current.encryptionConfig.autoLockManagers,
    },
    ...(taskDefaults === undefined ? {} : { taskDefaults }),
  };
}

/** The fields ClusterInfo and Swarm share, all of them present (shoal always sends them). */
function clusterFields(c: Cluster): DockerClusterInfo & Omit<DockerSwarm, 'JoinTokens'> {
  return {
    ID: c.id,
    ...metaFromStore(c.meta),
    Spec: swarmSpecFromStore(c.spec),
    // The root nodes should move to: `docker swarm ca --rotate` counts the nodes reporting it.
    TLSInfo: tlsInfoOf(desiredRootPem(c.rootCA)),
    RootRotationInProgress: c.rootCA.rootRotation !== undefined,
    DefaultAddrPool: [...c.defaultAddrPool],
    SubnetSize: c.subnetSize,
    DataPathPort: c.dataPathPort,
  };
}

export function clusterInfoFromStore(c: Cluster): DockerClusterInfo {
  return clusterFields(c);
}

export function swarmFromStore(c: Cluster): DockerSwarm {
  return {
    ...clusterFields(c),
    JoinTokens: { Worker: c.rootCA.joinTokens.worker, Manager: c.rootCA.joinTokens.manager },
  };
}
