// What the network driver knows, kept in a JSON file so a restarted shoald picks up the networks
// and endpoints that dockerd and the kernel still have (dockerd does not repeat CreateNetwork or
// CreateEndpoint for them). Written whole, atomically (temporary file, then rename).

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DriverError } from './errors.js';

interface NetworkRecordBase {
  /** dockerd's network ID. */
  readonly dockerId: string;
  /** The subnet (CIDR) and gateway (address) dockerd's IPAM manages for it. */
  readonly subnet: string;
  readonly gateway?: string;
}

/** One of the cluster's overlay networks. */
export interface OverlayNetworkRecord extends NetworkRecordBase {
  readonly kind: 'overlay';
  readonly clusterId: string;
  readonly vni: number;
  /** Set when the user chose the network's MTU. */
  readonly mtu?: number;
  /** The cluster's VXLAN UDP port, when not 4789. */
  readonly dataPathPort?: number;
  /** No egress: its endpoints ask for no default gateway. */
  readonly internal: boolean;
}

/** The engine's docker_gwbridge network, served by the node's gateway bridge. */
export interface GatewayNetworkRecord extends NetworkRecordBase {
  readonly kind: 'gateway';
}

export type NetworkRecord = OverlayNetworkRecord | GatewayNetworkRecord;

export interface EndpointRecord {
  /** dockerd's endpoint ID. */
  readonly id: string;
  readonly networkDockerId: string;
  /** CIDR, as dockerd's IPAM assigned it. */
  readonly address: string;
  readonly mac: string;
}

export interface DriverStateData {
  readonly version: 1;
  readonly networks: readonly NetworkRecord[];
  readonly endpoints: readonly EndpointRecord[];
}

export const EMPTY_STATE: DriverStateData = { version: 1, networks: [], endpoints: [] };

export interface DriverStateStore {
  load(): Promise<DriverStateData>;
  save(state: DriverStateData): Promise<void>;
}

/** Keeps the state in memory only (a node that never restarts its agent, or tests). */
export class MemoryStateStore implements DriverStateStore {
  private state: DriverStateData = EMPTY_STATE;
  load(): Promise<DriverStateData> {
    return Promise.resolve(this.state);
  }
  save(state: DriverStateData): Promise<void> {
    this.state = state;
    return Promise.resolve();
  }
}

export class FileStateStore implements DriverStateStore {
  constructor(readonly path: string) {}

  async load(): Promise<DriverStateData> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e: unknown) {
      if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return EMPTY_STATE;
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e: unknown) {
      throw new DriverError(
        'DRIVER_STATE',
        `network driver state ${this.path} is not valid JSON; move it away`,
        {
          cause: e,
        },
      );
    }
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      !('version' in parsed) ||
      parsed.version !== 1 ||
      !('networks' in parsed) ||
      !Array.isArray(parsed.networks) ||
      !('endpoints' in parsed) ||
      !Array.isArray(parsed.endpoints)
    ) {
      throw new DriverError(
        'DRIVER_STATE',
        `network driver state ${this.path} has an unknown layout; move it away`,
      );
    }
    return parsed as DriverStateData;
  }

  async save(state: DriverStateData): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, JSON.stringify(state));
    await rename(tmp, this.path);
  }
}
