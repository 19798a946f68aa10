// Nodes: a stored Node as Docker's Node object, and Docker's NodeSpec onto a stored spec.

import type { Node, NodeSpec } from '../../store/index.js';
import { invalidParameter } from '../errors.js';
import type { DockerNodeSpec } from '../../../api/docker/node-spec.js';
import type { DockerNode, DockerNodeDescription } from '../../../api/docker/node.js';
import { metaFromStore } from './meta.js';

export function nodeSpecFromStore(s: NodeSpec): DockerNodeSpec {
  const out: DockerNodeSpec = {};
  if (s.name !== undefined && s.name !== '') out.Name = s.name;
  out.Labels = { ...s.labels };
  out.Role = s.role;
  out.Availability = s.availability;
  return out;
}

/** Docker replaces the whole spec; Role and Availability are required values (Docker's messages). */
export function nodeSpecToStore(s: DockerNodeSpec): NodeSpec {
  const role = s.Role ?? '';
  if (role !== 'worker' && role !== 'manager')
    throw invalidParameter(`invalid Role: ${JSON.stringify(role)}`);
  const availability = s.Availability ?? '';
  if (availability !== 'active' && availability !== 'pause' && availability !== 'drain') {
    throw invalidParameter(`invalid Availability: ${JSON.stringify(availability)}`);
  }
  const out: NodeSpec = {
    labels: { ...(s.Labels ?? {}) },
    role: role,
    availability: availability,
  };
  if (s.Name !== undefined && s.Name !== '') out.name = s.Name;
  return out;
}

/**
 * `leaderRaftId`: the Raft leader the answering manager knows now (0: none). A node is shown as
 * Leader when it is that member, as swarmkit does, not from its stored record: that is only as
 * fresh as the answering copy, which on a manager that lost its leader (or was just restarted)
 * still names the last leader it saw.
 */
export function nodeFromStore(n: Node, leaderRaftId: number): DockerNode {
  const out: DockerNode = {
    ID: n.id,
    ...metaFromStore(n.meta),
    Spec: nodeSpecFromStore(n.spec),
    Description: {},
    Status: { State: n.status.state },
  };
  if (n.status.message !== '') out.Status.Message = n.status.message;
  if (n.status.addr !== '') out.Status.Addr = n.status.addr;
  const d = n.description;
  if (d !== undefined) {
    const engine: NonNullable<DockerNodeDescription['Engine']> = { EngineVersion: d.engine.engineVersion };
    const description: DockerNodeDescription = {
      Hostname: d.hostname,
      Platform: { Architecture: d.platform.architecture, OS: d.platform.os },
      Resources: { NanoCPUs: d.resources.nanoCPUs, MemoryBytes: d.resources.memoryBytes },
      Engine: engine,
    };
    if (Object.keys(d.engine.labels).length > 0) engine.Labels = { ...d.engine.labels };
    if (d.engine.plugins.length > 0) {
      engine.Plugins = d.engine.plugins.map((p) => ({ Type: p.type, Name: p.name }));
    }
    if (d.tlsInfo !== undefined) {
      description.TLSInfo = {
        TrustRoot: d.tlsInfo.trustRoot,
        CertIssuerSubject: d.tlsInfo.certIssuerSubject,
        CertIssuerPublicKey: d.tlsInfo.certIssuerPublicKey,
      };
    }
    out.Description = description;
  }
  if (n.managerStatus !== undefined) {
    const m = n.managerStatus;
    const manager: NonNullable<DockerNode['ManagerStatus']> = { Reachability: m.reachability, Addr: m.addr };
    if (leaderRaftId !== 0 && m.raftId === leaderRaftId) manager.Leader = true;
    out.ManagerStatus = manager;
  }
  return out;
}
