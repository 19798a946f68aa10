// Test support: lab hosts wired as shoal nodes for networking, without shoald. For each host, a
// NetworkPlugin runs in this process with every command entering the host's namespaces, its socket
// in the host's own /run/docker/plugins (so only that host's dockerd sees it, under the production
// name `shoal`), and a DockerExecutor on the host's engine with the OverlayAttacher.

import { join } from 'node:path';
import { pino } from 'pino';
import type { Task } from '../../../../api/objects/index.js';
import { Lab, type LabHost } from '../../../../lab/lab.js';
import { DockerExecutor } from '../../../exec/docker/docker-executor.js';
import { makeTask, newId } from '../../../exec/test/task-fixture.js';
import { taskName } from '../../../../api/task-identity.js';
import type { Controller } from '../../../exec/executor.js';
import { NodeCommands } from '../../overlay/host-commands.js';
import { MapNetworkCatalog, type AttachableNetwork } from '../network-catalog.js';
import { NetworkPlugin } from '../network-plugin.js';
import { OverlayAttacher } from '../overlay-attacher.js';

export interface LabNode {
  readonly host: LabHost;
  readonly commands: NodeCommands;
  plugin: NetworkPlugin;
  readonly catalog: MapNetworkCatalog;
  readonly attacher: OverlayAttacher;
  readonly executor: DockerExecutor;
}

const logger = pino({ level: process.env['SHOAL_E2E_LOG'] ?? 'silent' });

export function pluginOptions(host: LabHost, commands: NodeCommands) {
  return {
    nodeAddress: host.addr,
    commands,
    pluginDir: host.privateDirs['/run/docker/plugins'],
    stateFile: join(host.dir, 'shoal-network', 'driver.json'),
    logger,
  };
}

export async function startLabNode(lab: Lab, index: number): Promise<LabNode> {
  const host = lab.host(index);
  const commands = new NodeCommands({ prefix: lab.nsenter(host) });
  const plugin = await NetworkPlugin.start(pluginOptions(host, commands));
  const catalog = new MapNetworkCatalog(2_000);
  const attacher = new OverlayAttacher({ socketPath: host.dockerSocket, catalog });
  const executor = new DockerExecutor({ socketPath: host.dockerSocket, attacher, logger });
  return { host, commands, plugin, catalog, attacher, executor };
}

/** A cluster network as the allocator would define it. */
export function overlayNetwork(
  name: string,
  vni: number,
  subnet: string,
  internal = false,
): AttachableNetwork {
  const base = subnet.split('/')[0] ?? '';
  const gateway = base.replace(/\.0$/, '.1');
  return { id: newId(), name, vni, subnet, gateway, internal };
}

export interface RunningTask {
  readonly task: Task;
  readonly name: string;
  readonly node: LabNode;
  readonly address: string;
  readonly controller: Controller;
}

/** Runs a task (a busybox shell command) on the node, attached to `net` with `address`. */
export async function runTask(
  node: LabNode,
  net: AttachableNetwork,
  address: string,
  script: string,
): Promise<RunningTask> {
  node.catalog.set(net);
  const prefix = net.subnet.split('/')[1] ?? '24';
  const task = makeTask({ container: { command: ['sh', '-c'], args: [script] } });
  task.networksAttachments = [{ networkId: net.id, addresses: [`${address}/${prefix}`], aliases: [] }];
  const controller = node.executor.controller(task);
  await controller.prepare();
  await controller.start();
  return { task, name: taskName(task), node, address, controller };
}
