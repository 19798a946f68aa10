// Networks between Docker's JSON and the store: a NetworkCreateRequest to a NetworkSpec, and a
// stored Network to Docker's NetworkResource as dockerd answers for a swarm-scoped network
// (daemon/cluster/convert's BasicNetworkFromGRPC): Scope "swarm", the allocated IPAM and the
// driver state's options once the allocator has run.

import type { CreateNetworkRequest } from '../../controlapi/index.js';
import type { IPAMConfig, Network, NetworkSpec } from '../../store/index.js';
import type { LocalNetworkState } from './network-local.js';
import type { DockerNetworkResource } from '../../../api/docker/network-resource.js';
import type { DockerIpamConfig, DockerNetworkCreate } from '../../../api/docker/network.js';

export type { DockerNetworkResource };

function ipamConfigFromStore(c: IPAMConfig): DockerNetworkResource['IPAM']['Config'][number] {
  return {
    ...(c.subnet === '' ? {} : { Subnet: c.subnet }),
    ...(c.range === undefined || c.range === '' ? {} : { IPRange: c.range }),
    ...(c.gateway === undefined || c.gateway === '' ? {} : { Gateway: c.gateway }),
  };
}

/** The network as dockerd shows it; `local`: what this node has of it (inspect only). */
export function networkFromStore(n: Network, local?: LocalNetworkState): DockerNetworkResource {
  const ipam = n.ipam ?? n.spec.ipam;
  const options = ipam?.driver?.options ?? {};
  return {
    Name: n.spec.name,
    Id: n.id,
    Created: n.meta.createdAt,
    Scope: 'swarm',
    Driver: n.driverState?.name ?? n.spec.driverConfig?.name ?? 'overlay',
    EnableIPv6: n.spec.ipv6Enabled,
    IPAM: {
      Driver: ipam?.driver?.name ?? 'default',
      Options: Object.keys(options).length === 0 ? null : { ...options },
      Config: (ipam?.configs ?? []).map(ipamConfigFromStore),
    },
    Internal: n.spec.internal,
    Attachable: n.spec.attachable,
    Ingress: n.spec.ingress,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: { ...local?.Containers },
    Options: { ...(n.driverState?.options ?? n.spec.driverConfig?.options ?? {}) },
    Labels: { ...n.spec.labels },
    ...(local?.Peers === undefined ? {} : { Peers: local.Peers }),
  };
}

function ipamConfigToStore(c: DockerIpamConfig): IPAMConfig {
  return {
    subnet: c.Subnet ?? '',
    ...(c.IPRange === undefined || c.IPRange === '' ? {} : { range: c.IPRange }),
    ...(c.Gateway === undefined || c.Gateway === '' ? {} : { gateway: c.Gateway }),
  };
}

/** A create request as the control layer takes it (controlapi/network-rules.ts checks it). */
export function networkCreateRequest(id: string, body: DockerNetworkCreate): CreateNetworkRequest {
  return {
    id,
    spec: networkSpecToStore(body),
    scope: body.Scope ?? '',
    configOnly: body.ConfigOnly === true,
    configFrom: body.ConfigFrom?.Network ?? '',
    hasAuxiliaryAddresses: (body.IPAM?.Config ?? []).some(
      (c) => Object.keys(c.AuxiliaryAddresses ?? {}).length > 0,
    ),
  };
}

/** The spec of a create request. */
export function networkSpecToStore(body: DockerNetworkCreate): NetworkSpec {
  const configs = (body.IPAM?.Config ?? []).map(ipamConfigToStore);
  const ipamDriver = body.IPAM?.Driver ?? '';
  const spec: NetworkSpec = {
    name: body.Name ?? '',
    labels: { ...(body.Labels ?? {}) },
    driverConfig: {
      name: body.Driver === undefined || body.Driver === '' ? 'overlay' : body.Driver,
      options: { ...(body.Options ?? {}) },
    },
    ipv6Enabled: body.EnableIPv6 ?? false,
    internal: body.Internal ?? false,
    attachable: body.Attachable ?? false,
    ingress: body.Ingress ?? false,
  };
  if (configs.length > 0 || body.IPAM?.Options !== undefined) {
    spec.ipam = {
      driver: {
        name: ipamDriver === '' ? 'default' : ipamDriver,
        options: { ...(body.IPAM?.Options ?? {}) },
      },
      configs,
    };
  }
  return spec;
}
