// Docker's NetworkCreateRequest (POST /networks/create) as a TypeBox schema, and the query of
// the network routes.

import { Type, type Static } from '@sinclair/typebox';
import { Bool, Str, StringMap, Struct } from './common.js';

export const IpamConfigSchema = Struct('network.IPAMConfig', {
  Subnet: Str,
  IPRange: Str,
  Gateway: Str,
  AuxiliaryAddresses: StringMap,
});

export const NetworkCreateSchema = Struct('types.NetworkCreateRequest', {
  Name: Str,
  CheckDuplicate: Bool,
  Driver: Str,
  Scope: Str,
  EnableIPv6: Bool,
  IPAM: Struct('network.IPAM', {
    Driver: Str,
    Options: StringMap,
    Config: Type.Array(IpamConfigSchema),
  }),
  Internal: Bool,
  Attachable: Bool,
  Ingress: Bool,
  ConfigOnly: Bool,
  ConfigFrom: Struct('network.ConfigReference', { Network: Str }),
  Options: StringMap,
  Labels: StringMap,
});

export type DockerNetworkCreate = Static<typeof NetworkCreateSchema>;
export type DockerIpamConfig = Static<typeof IpamConfigSchema>;

const Q = Type.Optional(Type.String());
export const NetworkInspectQuery = Type.Object({ verbose: Q, scope: Q });
