// Every method of Docker's network plugin protocol, mapped onto the NetworkDriver. The plugin is
// a NetworkDriver only: dockerd's default IPAM already gives a container the address the
// allocator chose (IPAMConfig.IPv4Address on a network created with the cluster's subnet), so
// shoal needs no IPAM plugin. Scope is local (each node's engine has its own copy of a network:
// dockerd 20.10 refuses global-scope networks without a cluster store); connectivity is global.

import type { NetworkDriver } from './network-driver.js';
import type { PluginRoute } from './plugin-server.js';
import { route } from './plugin-server.js';
import {
  AllocateNetworkRequest,
  CreateEndpointRequest,
  PluginCreateNetworkRequest,
  DiscoveryNotification,
  EmptyRequest,
  EndpointRequest,
  PluginJoinRequest,
  NetworkRequest,
  ProgramExternalConnectivityRequest,
  type ActivateResponse,
  type CapabilitiesResponse,
} from './protocol.js';

const ok = (): Promise<object> => Promise.resolve({});

export function driverRoutes(driver: NetworkDriver): Record<string, PluginRoute> {
  return {
    '/Plugin.Activate': route(EmptyRequest, () =>
      Promise.resolve<ActivateResponse>({ Implements: ['NetworkDriver'] }),
    ),
    '/NetworkDriver.GetCapabilities': route(EmptyRequest, () =>
      Promise.resolve<CapabilitiesResponse>({ Scope: 'local', ConnectivityScope: 'global' }),
    ),
    '/NetworkDriver.CreateNetwork': route(PluginCreateNetworkRequest, async (b) => {
      await driver.createNetwork(b);
      return {};
    }),
    '/NetworkDriver.DeleteNetwork': route(NetworkRequest, async (b) => {
      await driver.deleteNetwork(b);
      return {};
    }),
    // Only called for global-scope drivers in swarm mode; nothing to allocate beyond the cluster's.
    '/NetworkDriver.AllocateNetwork': route(AllocateNetworkRequest, () => Promise.resolve({ Options: {} })),
    '/NetworkDriver.FreeNetwork': route(NetworkRequest, ok),
    '/NetworkDriver.CreateEndpoint': route(CreateEndpointRequest, (b) => driver.createEndpoint(b)),
    '/NetworkDriver.DeleteEndpoint': route(EndpointRequest, async (b) => {
      await driver.deleteEndpoint(b);
      return {};
    }),
    '/NetworkDriver.EndpointOperInfo': route(EndpointRequest, (b) => driver.endpointOperInfo(b)),
    '/NetworkDriver.Join': route(PluginJoinRequest, (b) => driver.join(b)),
    '/NetworkDriver.Leave': route(EndpointRequest, async (b) => {
      await driver.leave(b);
      return {};
    }),
    // Published ports are the routing mesh's (nftables, agent/network/lb), not the driver's.
    '/NetworkDriver.ProgramExternalConnectivity': route(ProgramExternalConnectivityRequest, ok),
    '/NetworkDriver.RevokeExternalConnectivity': route(EndpointRequest, ok),
    // Peers come from the cluster's state (static forwarding), not from libnetwork's discovery.
    '/NetworkDriver.DiscoverNew': route(DiscoveryNotification, ok),
    '/NetworkDriver.DiscoverDelete': route(DiscoveryNotification, ok),
  };
}
