// Docker's NetworkResource (GET /networks, /networks/{id}) as dockerd answers for a
// swarm-scoped network: its spec, the allocated IPAM and, on inspect, what the answering node
// has of it (Containers, Peers).

import { Type, type Static } from '@sinclair/typebox';

const StringMap = Type.Record(Type.String(), Type.String());

export const EndpointResourceSchema = Type.Object({
  Name: Type.String(),
  EndpointID: Type.String(),
  MacAddress: Type.String(),
  IPv4Address: Type.String(),
  IPv6Address: Type.String(),
});

export const PeerInfoSchema = Type.Object({ Name: Type.String(), IP: Type.String() });

export const NetworkResourceSchema = Type.Object({
  Name: Type.String(),
  Id: Type.String(),
  Created: Type.String(),
  Scope: Type.String(),
  Driver: Type.String(),
  EnableIPv6: Type.Boolean(),
  IPAM: Type.Object({
    Driver: Type.String(),
    Options: Type.Union([StringMap, Type.Null()]),
    Config: Type.Array(
      Type.Object({
        Subnet: Type.Optional(Type.String()),
        IPRange: Type.Optional(Type.String()),
        Gateway: Type.Optional(Type.String()),
      }),
    ),
  }),
  Internal: Type.Boolean(),
  Attachable: Type.Boolean(),
  Ingress: Type.Boolean(),
  ConfigFrom: Type.Object({ Network: Type.String() }),
  ConfigOnly: Type.Boolean(),
  Containers: Type.Record(Type.String(), EndpointResourceSchema),
  Options: StringMap,
  Labels: StringMap,
  Peers: Type.Optional(Type.Array(PeerInfoSchema)),
});

/** The network create answer: the new network's ID. */
export const NetworkCreateResponseSchema = Type.Object({
  Id: Type.String(),
  Warning: Type.Optional(Type.String()),
});

export type DockerNetworkResource = Static<typeof NetworkResourceSchema>;
export type DockerEndpointResource = Static<typeof EndpointResourceSchema>;
export type DockerPeerInfo = Static<typeof PeerInfoSchema>;
export type DockerNetworkCreateResponse = Static<typeof NetworkCreateResponseSchema>;
