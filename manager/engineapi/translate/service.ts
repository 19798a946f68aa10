// A stored Service as Docker's Service object (GET /services, /services/{id}).

import type { Service } from '../../store/index.js';
import type { DockerService, DockerServiceStatus } from './docker-types.js';
import { metaFromStore } from './meta.js';
import { endpointSpecFromStore, portFromStore, serviceSpecFromStore } from './service-spec.js';

export function serviceFromStore(s: Service, status?: DockerServiceStatus): DockerService {
  const out: DockerService = {
    ID: s.id,
    ...metaFromStore(s.meta),
    Spec: serviceSpecFromStore(s.spec),
    Endpoint: { Spec: {} },
  };
  if (s.previousSpec !== undefined) out.PreviousSpec = serviceSpecFromStore(s.previousSpec);
  if (s.endpoint !== undefined) {
    out.Endpoint.Spec = endpointSpecFromStore(s.endpoint.spec);
    if (s.endpoint.ports.length > 0) out.Endpoint.Ports = s.endpoint.ports.map(portFromStore);
    if (s.endpoint.virtualIPs.length > 0) {
      out.Endpoint.VirtualIPs = s.endpoint.virtualIPs.map((v) => ({ NetworkID: v.networkId, Addr: v.addr }));
    }
  }
  if (s.updateStatus !== undefined) {
    const u = s.updateStatus;
    out.UpdateStatus = { State: u.state };
    if (u.startedAt !== undefined) out.UpdateStatus.StartedAt = u.startedAt;
    if (u.completedAt !== undefined) out.UpdateStatus.CompletedAt = u.completedAt;
    if (u.message !== '') out.UpdateStatus.Message = u.message;
  }
  if (s.jobStatus !== undefined) {
    out.JobStatus = { JobIteration: { Index: s.jobStatus.jobIteration } };
    if (s.jobStatus.lastExecution !== undefined) out.JobStatus.LastExecution = s.jobStatus.lastExecution;
  }
  if (status !== undefined) out.ServiceStatus = status;
  return out;
}
