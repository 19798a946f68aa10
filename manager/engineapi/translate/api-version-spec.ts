// A service spec as the request's API version means it, as dockerd reads it (its
// adjustForAPIVersion): fields a version did not have yet are dropped from an older client's
// request, and the deprecated top-level ServiceSpec.Networks is moved or ignored.
//
// Where Docker keeps ServiceSpec.Networks: up to Docker 28 it was stored as given (swarmkit's
// ServiceSpec.Networks), read back there, and used when TaskTemplate.Networks was empty. Docker
// 29 removed the field: a request below API 1.44 has it moved into TaskTemplate.Networks when
// that names none (TaskTemplate.Networks wins when both are given), a request at 1.44 or later
// has it ignored, and only a client below 1.25 reads it back, as a copy of
// TaskTemplate.Networks. shoal does as Docker 29.
//
// Gates for fields added after API_VERSION (1.44's Seccomp, AppArmor, NoNewPrivileges and
// Healthcheck.StartInterval, 1.46's OomScoreAdj and TmpfsOptions.Options, 1.52's SwapBytes and
// MemorySwappiness) are not applied: shoal answers at most API_VERSION, so a client could
// never reach them, and a client that sends them means them.

import { compareVersions } from '../api-version.js';
import type { DockerService } from '../../../api/docker/service.js';
import type { DockerServiceSpec, DockerTaskSpec } from '../../../api/docker/service-spec.js';

function below(version: string, v: string): boolean {
  return compareVersions(version, v) < 0;
}

/** Fields API 1.40 and 1.41 added to the task template, dropped for older clients (as dockerd). */
function withoutNewerTaskFields(version: string, t: DockerTaskSpec): DockerTaskSpec {
  const out: DockerTaskSpec = { ...t };
  const c = t.ContainerSpec === undefined ? undefined : { ...t.ContainerSpec };
  if (below(version, '1.40')) {
    if (c !== undefined) {
      delete c.Sysctls;
      if (c.Privileges?.CredentialSpec !== undefined) {
        c.Privileges = { ...c.Privileges, CredentialSpec: { ...c.Privileges.CredentialSpec, Config: '' } };
      }
      if (c.Configs !== undefined) c.Configs = c.Configs.map(({ Runtime: _runtime, ...rest }) => rest);
    }
    if (t.Placement !== undefined) out.Placement = { ...t.Placement, MaxReplicas: 0 };
  }
  if (below(version, '1.41')) {
    if (c !== undefined) {
      delete c.CapabilityAdd;
      delete c.CapabilityDrop;
      delete c.Ulimits;
    }
    if (t.Resources?.Limits !== undefined) {
      out.Resources = { ...t.Resources, Limits: { ...t.Resources.Limits, Pids: 0 } };
    }
  }
  if (c !== undefined) out.ContainerSpec = c;
  return out;
}

/** The spec of a create or update request at API `version`, as dockerd would take it. */
export function serviceSpecForVersion(version: string, spec: DockerServiceSpec): DockerServiceSpec {
  const { Networks: serviceNetworks, ...rest } = spec;
  const out: DockerServiceSpec = { ...rest };
  if (spec.TaskTemplate !== undefined) out.TaskTemplate = withoutNewerTaskFields(version, spec.TaskTemplate);
  const taskNetworks = out.TaskTemplate?.Networks ?? [];
  if (below(version, '1.44') && taskNetworks.length === 0 && serviceNetworks !== undefined) {
    if (serviceNetworks.length > 0) out.TaskTemplate = { ...out.TaskTemplate, Networks: serviceNetworks };
  }
  return out;
}

/** A service as a client below API 1.25 reads it: Spec.Networks copied from TaskTemplate.Networks. */
export function serviceForVersion(version: string, service: DockerService): DockerService {
  if (!below(version, '1.25')) return service;
  const out: DockerService = { ...service };
  const backfill = (s: DockerServiceSpec | undefined): DockerServiceSpec | undefined => {
    const nets = s?.TaskTemplate?.Networks ?? [];
    return s === undefined || nets.length === 0 ? s : { ...s, Networks: nets };
  };
  const spec = backfill(service.Spec);
  if (spec !== undefined) out.Spec = spec;
  const previous = backfill(service.PreviousSpec);
  if (previous !== undefined) out.PreviousSpec = previous;
  return out;
}
