// Networks: overlay networks users create (spec) and what the allocator assigned (driver
// state with the VNI, IPAM with the subnet).

import type { Driver, Labels, StoredObjectBase } from './common.js';

export interface IPAMConfig {
  subnet: string;
  range?: string;
  gateway?: string;
}

export interface IPAMOptions {
  driver?: Driver;
  configs: IPAMConfig[];
}

export interface NetworkSpec {
  name: string;
  labels: Labels;
  /** Driver requested by the user (default "overlay"). */
  driverConfig?: Driver;
  ipv6Enabled: boolean;
  /** No external connectivity. */
  internal: boolean;
  /** Standalone containers may attach too. */
  attachable: boolean;
  /** The routing-mesh network. */
  ingress: boolean;
  ipam?: IPAMOptions;
}

export interface Network extends StoredObjectBase {
  spec: NetworkSpec;
  /** Driver state after allocation (the overlay driver records the VNI in its options). */
  driverState?: Driver;
  /** Subnets and gateways after allocation. */
  ipam?: IPAMOptions;
  pendingDelete: boolean;
}

/** The driver option the overlay driver records a network's VXLAN identifier under (as Docker's). */
export const VXLANID_OPTION = 'com.docker.network.driver.overlay.vxlanid_list';
