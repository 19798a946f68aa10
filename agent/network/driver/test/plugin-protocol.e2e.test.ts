// Every call of Docker's network plugin protocol against the real plugin, in a lab host (a network
// namespace with an underlay at MTU 1450, no engine): the requests are the ones dockerd 20.10 sends
// (recorded from it), and the kernel's links are checked with iproute2 after each. Needs root.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Lab } from '../../../../lab/lab.js';
import { NodeCommands } from '../../overlay/host-commands.js';
import {
  endpointContainerVeth,
  endpointHostVeth,
  overlayBridgeName,
  vxlanName,
} from '../../overlay/link-names.js';
import { NetworkPlugin } from '../network-plugin.js';
import { post } from './plugin-client.js';

const CLUSTER_NET = 'q3x9netw0rkid0000000000ab';
const DOCKER_NET = 'f'.repeat(64);
const GW_NET = 'e'.repeat(64);
const EP = 'a'.repeat(64);
const EP2 = 'b'.repeat(64);
const GW_EP = 'c'.repeat(64);

let lab: Lab | undefined;
let plugin: NetworkPlugin | undefined;

function call(method: string, body?: unknown) {
  assert.ok(plugin);
  return post(plugin.socketPath, `/${method}`, body);
}

type Link = {
  ifname: string;
  mtu: number;
  master?: string;
  address: string;
  linkinfo?: {
    info_kind?: string;
    info_data?: Record<string, unknown>;
    info_slave_data?: Record<string, unknown>;
  };
};

async function link(name: string): Promise<Link | undefined> {
  assert.ok(lab);
  const r = await lab.exec(0, ['ip', '-j', '-d', 'link', 'show', 'dev', name], { check: false });
  return r.code === 0 ? (JSON.parse(r.stdout) as Link[])[0] : undefined;
}

function createNetwork(id: string, generic: Record<string, string>, pool: string, gateway: string) {
  return call('NetworkDriver.CreateNetwork', {
    NetworkID: id,
    Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': generic },
    IPv4Data: [{ AddressSpace: 'LocalDefault', Gateway: gateway, Pool: pool }],
    IPv6Data: [],
  });
}

const epOptions = { 'com.docker.network.endpoint.exposedports': [], 'com.docker.network.portmap': [] };

describe('the network plugin protocol', { timeout: 60_000 }, () => {
  before(async () => {
    lab = await Lab.create({ name: 'plugin-protocol', hosts: 1, mtu: 1450, engines: false });
    const h = lab.host(0);
    plugin = await NetworkPlugin.start({
      nodeAddress: h.addr,
      commands: new NodeCommands({ prefix: lab.nsenter(h) }),
      pluginDir: h.privateDirs['/run/docker/plugins'],
    });
  });

  after(async () => {
    await plugin?.teardown().catch(() => undefined);
    await lab?.destroy();
  });

  it('introduces itself as a network driver of local scope and global connectivity', async () => {
    assert.equal(plugin?.socketPath, `${lab?.host(0).privateDirs['/run/docker/plugins']}/shoal.sock`);
    assert.deepEqual((await call('Plugin.Activate')).json, { Implements: ['NetworkDriver'] });
    assert.deepEqual((await call('NetworkDriver.GetCapabilities')).json, {
      Scope: 'local',
      ConnectivityScope: 'global',
    });
  });

  it('CreateNetwork makes the bridge and the VXLAN device on the underlay, MTU 1400', async () => {
    const r = await createNetwork(
      DOCKER_NET,
      { 'io.shoal.network.id': CLUSTER_NET, 'io.shoal.network.vni': '4097' },
      '10.0.1.0/24',
      '10.0.1.1/24',
    );
    assert.deepEqual(r.json, {});
    const br = await link(overlayBridgeName(CLUSTER_NET));
    const vx = await link(vxlanName(CLUSTER_NET));
    assert.equal(br?.linkinfo?.info_kind, 'bridge');
    assert.equal(br.mtu, 1400);
    assert.equal(vx?.linkinfo?.info_kind, 'vxlan');
    assert.equal(vx.mtu, 1400);
    assert.equal(vx.master, br.ifname);
    assert.deepEqual(
      {
        id: vx.linkinfo.info_data?.['id'],
        local: vx.linkinfo.info_data?.['local'],
        port: vx.linkinfo.info_data?.['port'],
        learning: vx.linkinfo.info_data?.['learning'],
        proxy: vx.linkinfo.info_data?.['proxy'],
      },
      { id: 4097, local: lab?.addr(0), port: 4789, learning: false, proxy: true },
    );
  });

  it('gives a network the MTU the user chose for it', async () => {
    const id = 'mtunetw0rk000000000000000';
    const generic = {
      'io.shoal.network.id': id,
      'io.shoal.network.vni': '4100',
      'com.docker.network.driver.mtu': '1300',
    };
    assert.deepEqual((await createNetwork('2'.repeat(64), generic, '10.0.9.0/24', '10.0.9.1/24')).json, {});
    assert.equal((await link(vxlanName(id)))?.mtu, 1300);
    assert.equal((await link(overlayBridgeName(id)))?.mtu, 1300);
    assert.deepEqual((await call('NetworkDriver.DeleteNetwork', { NetworkID: '2'.repeat(64) })).json, {});
    assert.equal(await link(vxlanName(id)), undefined);
  });

  it('refuses networks it did not make, and a gateway network on the wrong subnet', async () => {
    const foreign = await createNetwork('1'.repeat(64), {}, '10.9.0.0/24', '10.9.0.1/24');
    assert.match(JSON.stringify(foreign.json), /"Err":".*shoal network create/);
    const wrongGw = await createNetwork(
      GW_NET,
      { 'io.shoal.network.gateway': 'true' },
      '172.30.0.0/16',
      '172.30.0.1/16',
    );
    assert.match(JSON.stringify(wrongGw.json), /172\.18\.0\.0\/16/);
    const gw = await createNetwork(
      GW_NET,
      { 'io.shoal.network.gateway': 'true' },
      '172.18.0.0/16',
      '172.18.0.1/16',
    );
    assert.deepEqual(gw.json, {});
  });

  it('CreateEndpoint gives the endpoint the MAC derived from its address, unless dockerd set one', async () => {
    const derived = await call('NetworkDriver.CreateEndpoint', {
      NetworkID: DOCKER_NET,
      EndpointID: EP,
      Interface: { Address: '10.0.1.11/24', AddressIPv6: '', MacAddress: '' },
      Options: epOptions,
    });
    assert.deepEqual(derived.json, { Interface: { MacAddress: '02:42:0a:00:01:0b' } });
    const given = await call('NetworkDriver.CreateEndpoint', {
      NetworkID: DOCKER_NET,
      EndpointID: EP2,
      Interface: { Address: '10.0.1.12/24', AddressIPv6: '', MacAddress: '02:00:00:00:00:12' },
      Options: epOptions,
    });
    assert.deepEqual(given.json, { Interface: {} });
    const outside = await call('NetworkDriver.CreateEndpoint', {
      NetworkID: DOCKER_NET,
      EndpointID: 'd'.repeat(64),
      Interface: { Address: '10.0.2.11/24' },
    });
    assert.match(JSON.stringify(outside.json), /outside the network's subnet/);
    const info = await call('NetworkDriver.EndpointOperInfo', { NetworkID: DOCKER_NET, EndpointID: EP });
    assert.deepEqual(info.json, { Value: { address: '10.0.1.11/24', mac: '02:42:0a:00:01:0b' } });
  });

  it('Join plugs a veth into the bridge and hands the other end over, asking for egress', async () => {
    const r = await call('NetworkDriver.Join', {
      NetworkID: DOCKER_NET,
      EndpointID: EP,
      SandboxKey: '/var/run/docker/netns/0123456789ab',
      Options: epOptions,
    });
    assert.deepEqual(r.json, {
      InterfaceName: { SrcName: endpointContainerVeth(EP), DstPrefix: 'eth' },
      StaticRoutes: [],
      DisableGatewayService: false,
    });
    const inner = await link(endpointContainerVeth(EP));
    const outer = await link(endpointHostVeth(EP));
    assert.equal(inner?.address, '02:42:0a:00:01:0b');
    assert.equal(inner.mtu, 1400);
    assert.equal(outer?.master, overlayBridgeName(CLUSTER_NET));
  });

  it('Join on the gateway network gives the gateway and isolates the port', async () => {
    await call('NetworkDriver.CreateEndpoint', {
      NetworkID: GW_NET,
      EndpointID: GW_EP,
      Interface: { Address: '172.18.0.2/16' },
      Options: epOptions,
    });
    const r = await call('NetworkDriver.Join', { NetworkID: GW_NET, EndpointID: GW_EP, SandboxKey: '/x/y' });
    assert.deepEqual(r.json, {
      InterfaceName: { SrcName: endpointContainerVeth(GW_EP), DstPrefix: 'eth' },
      Gateway: '172.18.0.1',
      StaticRoutes: [],
      DisableGatewayService: true,
    });
    const port = await link(endpointHostVeth(GW_EP));
    assert.equal(port?.master, 'shoal_gwbridge');
    assert.equal(port.mtu, 1450, 'egress is routed on the underlay, not encapsulated');
    assert.equal(port.linkinfo?.info_slave_data?.['isolated'], true);
  });

  it('answers the calls it has nothing to do for', async () => {
    const ep = { NetworkID: DOCKER_NET, EndpointID: EP };
    assert.deepEqual(
      (await call('NetworkDriver.ProgramExternalConnectivity', { ...ep, Options: {} })).json,
      {},
    );
    assert.deepEqual((await call('NetworkDriver.RevokeExternalConnectivity', ep)).json, {});
    const node = { DiscoveryType: 1, DiscoveryData: { Address: '10.77.0.12', self: false } };
    assert.deepEqual((await call('NetworkDriver.DiscoverNew', node)).json, {});
    assert.deepEqual((await call('NetworkDriver.DiscoverDelete', node)).json, {});
    const alloc = await call('NetworkDriver.AllocateNetwork', {
      NetworkID: 'n',
      Options: null,
      IPv4Data: null,
    });
    assert.deepEqual(alloc.json, { Options: {} });
    assert.deepEqual((await call('NetworkDriver.FreeNetwork', { NetworkID: 'n' })).json, {});
    const unknown = await call('NetworkDriver.Join', {
      NetworkID: DOCKER_NET,
      EndpointID: 'z',
      SandboxKey: '/k',
    });
    assert.match(JSON.stringify(unknown.json), /"Err":"endpoint z was not created through shoal"/);
    assert.equal((await call('NetworkDriver.Join', { NetworkID: DOCKER_NET })).status, 400);
  });

  it('Leave and DeleteEndpoint remove the veth; DeleteNetwork the bridge and VXLAN device', async () => {
    for (const [net, ep] of [
      [DOCKER_NET, EP],
      [DOCKER_NET, EP2],
      [GW_NET, GW_EP],
    ] as const) {
      assert.deepEqual((await call('NetworkDriver.Leave', { NetworkID: net, EndpointID: ep })).json, {});
      assert.deepEqual(
        (await call('NetworkDriver.DeleteEndpoint', { NetworkID: net, EndpointID: ep })).json,
        {},
      );
      assert.equal(await link(endpointHostVeth(ep)), undefined);
      assert.equal(await link(endpointContainerVeth(ep)), undefined);
    }
    assert.deepEqual((await call('NetworkDriver.DeleteNetwork', { NetworkID: DOCKER_NET })).json, {});
    assert.deepEqual((await call('NetworkDriver.DeleteNetwork', { NetworkID: GW_NET })).json, {});
    assert.equal(await link(overlayBridgeName(CLUSTER_NET)), undefined);
    assert.equal(await link(vxlanName(CLUSTER_NET)), undefined);
    assert.ok(await link('shoal_gwbridge'), 'the gateway bridge lives as long as the plugin');
  });

  it('teardown removes the gateway bridge and the NAT table', async () => {
    assert.ok(plugin && lab);
    await plugin.teardown();
    assert.equal(await link('shoal_gwbridge'), undefined);
    assert.doesNotMatch((await lab.exec(0, ['nft', 'list', 'tables'])).stdout, /shoal_egress/);
  });
});
