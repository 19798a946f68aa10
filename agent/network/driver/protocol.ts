// Docker's network plugin protocol (libnetwork's remote driver): the JSON bodies dockerd POSTs
// to /NetworkDriver.* and what the plugin answers, as TypeBox schemas that validate each request.
// Go encodes nil maps and slices as null, so optional fields also accept null.

import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
const Options = Nullable(Type.Record(Type.String(), Type.Unknown()));

export const IpamData = Type.Object({
  AddressSpace: Nullable(Type.String()),
  Pool: Type.String(),
  Gateway: Nullable(Type.String()),
  AuxAddresses: Nullable(Type.Record(Type.String(), Type.String())),
});
export type IpamData = Static<typeof IpamData>;

export const PluginCreateNetworkRequest = Type.Object({
  NetworkID: Type.String({ minLength: 1 }),
  Options,
  IPv4Data: Nullable(Type.Array(IpamData)),
  IPv6Data: Nullable(Type.Array(IpamData)),
});
export type PluginCreateNetworkRequest = Static<typeof PluginCreateNetworkRequest>;

export const NetworkRequest = Type.Object({ NetworkID: Type.String({ minLength: 1 }) });
export type NetworkRequest = Static<typeof NetworkRequest>;

export const EndpointInterface = Type.Object({
  Address: Nullable(Type.String()),
  AddressIPv6: Nullable(Type.String()),
  MacAddress: Nullable(Type.String()),
});
export type EndpointInterface = Static<typeof EndpointInterface>;

export const CreateEndpointRequest = Type.Object({
  NetworkID: Type.String({ minLength: 1 }),
  EndpointID: Type.String({ minLength: 1 }),
  Interface: Nullable(EndpointInterface),
  Options,
});
export type CreateEndpointRequest = Static<typeof CreateEndpointRequest>;

/** DeleteEndpoint, EndpointOperInfo, Leave, RevokeExternalConnectivity. */
export const EndpointRequest = Type.Object({
  NetworkID: Type.String({ minLength: 1 }),
  EndpointID: Type.String({ minLength: 1 }),
});
export type EndpointRequest = Static<typeof EndpointRequest>;

export const PluginJoinRequest = Type.Object({
  NetworkID: Type.String({ minLength: 1 }),
  EndpointID: Type.String({ minLength: 1 }),
  SandboxKey: Type.String({ minLength: 1 }),
  Options,
});
export type PluginJoinRequest = Static<typeof PluginJoinRequest>;

export const ProgramExternalConnectivityRequest = Type.Object({
  NetworkID: Type.String({ minLength: 1 }),
  EndpointID: Type.String({ minLength: 1 }),
  Options,
});
export type ProgramExternalConnectivityRequest = Static<typeof ProgramExternalConnectivityRequest>;

export const DiscoveryNotification = Type.Object({
  DiscoveryType: Type.Integer(),
  DiscoveryData: Type.Optional(Type.Unknown()),
});
export type DiscoveryNotification = Static<typeof DiscoveryNotification>;

/** Sent only when the plugin's scope is global and dockerd runs swarm mode; answered all the same. */
export const AllocateNetworkRequest = Type.Object({
  NetworkID: Type.String({ minLength: 1 }),
  Options: Nullable(Type.Record(Type.String(), Type.String())),
  IPv4Data: Nullable(Type.Array(IpamData)),
  IPv6Data: Nullable(Type.Array(IpamData)),
});
export type AllocateNetworkRequest = Static<typeof AllocateNetworkRequest>;

export const EmptyRequest = Type.Unknown();

export interface ActivateResponse {
  Implements: string[];
}

export interface CapabilitiesResponse {
  Scope: 'local' | 'global';
  ConnectivityScope: 'local' | 'global';
}

export interface CreateEndpointResponse {
  Interface: { MacAddress?: string; Address?: string; AddressIPv6?: string };
}

export interface JoinResponse {
  InterfaceName: { SrcName: string; DstPrefix: string };
  Gateway?: string;
  StaticRoutes: { Destination: string; RouteType: number; NextHop?: string }[];
  DisableGatewayService: boolean;
}

export interface OperInfoResponse {
  Value: Record<string, unknown>;
}

/** What the plugin answers when it understood a request but could not carry it out. */
export interface ErrorResponse {
  Err: string;
}

/** Driver option keys shoal puts on the networks it creates in the engine (and reads back). */
export const OPT_NETWORK_ID = 'io.shoal.network.id';
export const OPT_VNI = 'io.shoal.network.vni';
/** The cluster's VXLAN UDP port, when not Docker's 4789 (`swarm init --data-path-port`). */
export const OPT_DATA_PATH_PORT = 'io.shoal.network.data-path-port';
export const OPT_INTERNAL = 'io.shoal.network.internal';
/** Docker's own option for a network's MTU (`--opt com.docker.network.driver.mtu=N`). */
export const OPT_MTU = 'com.docker.network.driver.mtu';
/** Marks the engine's docker_gwbridge network as served by shoal's gateway bridge. */
export const OPT_GATEWAY = 'io.shoal.network.gateway';
/** The engine network libnetwork connects a sandbox to when no endpoint gives it a gateway. */
export const GATEWAY_NETWORK_NAME = 'docker_gwbridge';
/** Endpoint driver option: the MAC the endpoint gets (default: derived from its address). */
export const OPT_MAC = 'io.shoal.endpoint.mac';
/** Where dockerd puts `docker network create -o` options in CreateNetwork's Options. */
export const GENERIC_OPTIONS = 'com.docker.network.generic';
export const INTERNAL_OPTION = 'com.docker.network.internal';
