// A stored Task as Docker's Task object (GET /tasks, /tasks/{id}).

import type { Network, Task } from '../../store/index.js';
import type { DockerTask, DockerTaskStatus } from '../../../api/docker/task.js';
import { metaFromStore } from './meta.js';
import { portFromStore } from './service-spec.js';
import { taskSpecFromStore } from './task-spec.js';

/** `networkOf` looks up the networks a task is attached to (for their names). */
export function taskFromStore(
  t: Task,
  networkOf: (id: string) => Network | undefined = () => undefined,
): DockerTask {
  const s = t.status;
  const containerStatus: NonNullable<DockerTaskStatus['ContainerStatus']> = {};
  const portStatus: NonNullable<DockerTaskStatus['PortStatus']> = {};
  const status: DockerTaskStatus = {
    Timestamp: s.timestamp,
    State: s.state,
    ContainerStatus: containerStatus,
    PortStatus: portStatus,
  };
  const out: DockerTask = {
    ID: t.id,
    ...metaFromStore(t.meta),
    Labels: {},
    Spec: taskSpecFromStore(t.spec),
    ServiceID: t.serviceId,
    Status: status,
    DesiredState: t.desiredState,
  };
  if (t.slot !== 0) out.Slot = t.slot;
  if (t.nodeId !== undefined) out.NodeID = t.nodeId;
  if (s.message !== '') status.Message = s.message;
  if (s.err !== undefined && s.err !== '') status.Err = s.err;
  if (s.containerStatus !== undefined) {
    const c = s.containerStatus;
    if (c.containerId !== '') containerStatus.ContainerID = c.containerId;
    if (c.pid !== 0) containerStatus.PID = c.pid;
    if (c.exitCode !== 0) containerStatus.ExitCode = c.exitCode;
  }
  if (s.portStatus !== undefined && s.portStatus.ports.length > 0) {
    portStatus.Ports = s.portStatus.ports.map(portFromStore);
  }
  if (t.networksAttachments.length > 0) {
    out.NetworksAttachments = t.networksAttachments.map((a) => {
      const network = networkOf(a.networkId);
      return {
        Network:
          network === undefined
            ? { ID: a.networkId }
            : { ID: a.networkId, Spec: { Name: network.spec.name } },
        Addresses: [...a.addresses],
      };
    });
  }
  if (t.jobIteration !== undefined) out.JobIteration = { Index: t.jobIteration };
  return out;
}

/** Docker's task name (its container's name): <service>.<slot>.<id>, global: <service>.<node>.<id>. */
export { taskName } from '../../../api/task-identity.js';
