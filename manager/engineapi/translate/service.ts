// A stored Service as Docker's Service object (GET /services, /services/{id}).

import type { Service } from '../../store/index.js';
import type { DockerService, DockerServiceStatus } from '../../../api/docker/service.js';
import { metaFromStore } from './meta.js';
import { endpointSpecFromStore, portFromStore, serviceSpecFromStore } from './service-spec.js';

export function serviceFromStore(s: Service, status?: DockerServiceStatus): DockerService {
  const endpoint: NonNullable<DockerService['Endpoint']> = { Spec: {} };
  const out: DockerService = {
    ID: s.id,
    ...metaFromStore(s.meta),
    Spec: serviceSpecFromStore(s.spec),
    Endpoint: endpoint,
  };
  if (s.previousSpec !== undefined) out.PreviousSpec = serviceSpecFromStore(s.previousSpec);
  if (s.endpoint !== undefined) {
    endpoint.Spec = endpointSpecFromStore(s.endpoint.spec);
    if (s.endpoint.ports.length > 0) endpoint.Ports = s.endpoint.ports.map(portFromStore);
    if (s.endpoint.virtualIPs.length > 0) {
      endpoint.VirtualIPs = s.endpoint.virtualIPs.map((v) => ({ NetworkID: v.networkId, Addr: v.addr }));
    }
  }
  if (s.updateStatus !== undefined) {
    const u = s.updateStatus;
    const update: NonNullable<DockerService['UpdateStatus']> = { State: u.state };
    if (u.startedAt !== undefined) update.StartedAt = u.startedAt;
    if (u.completedAt !== undefined) update.CompletedAt = u.completedAt;
    if (u.message !== '') update.Message = u.message;
    out.UpdateStatus = update;
  }
  if (s.jobStatus !== undefined) {
    const job: NonNullable<DockerService['JobStatus']> = {
      JobIteration: { Index: s.jobStatus.jobIteration },
    };
    if (s.jobStatus.lastExecution !== undefined) job.LastExecution = s.jobStatus.lastExecution;
    out.JobStatus = job;
  }
  if (status !== undefined) out.ServiceStatus = status;
  return out;
}
