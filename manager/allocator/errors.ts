// What the allocator refuses, as error classes with stable codes. The messages are the ones
// Docker users know where Docker has one (libnetwork's "Pool overlaps with other one on this
// address space", swarmkit's "ipam configuration: ..."); the API layer adds the HTTP status.

export abstract class AllocatorError extends Error {
  abstract readonly code: string;
}

/** A user-given IPAM config that cannot be used (swarmkit's validateIPAMConfiguration). */
export class InvalidIpamConfigError extends AllocatorError {
  readonly code = 'INVALID_IPAM_CONFIG';
  constructor(readonly detail: string) {
    super(`ipam configuration: ${detail}`);
    this.name = 'InvalidIpamConfigError';
  }
}

/** A subnet overlaps the subnet of another network (libnetwork's ErrPoolOverlap). */
export class PoolOverlapError extends AllocatorError {
  readonly code = 'POOL_OVERLAP';
  constructor(
    readonly subnet: string,
    readonly otherNetwork: string,
    readonly otherSubnet: string,
  ) {
    super('Pool overlaps with other one on this address space');
    this.name = 'PoolOverlapError';
  }
}

/** Every subnet of the default address pools is taken. */
export class SubnetPoolExhaustedError extends AllocatorError {
  readonly code = 'POOL_EXHAUSTED';
  constructor() {
    super(
      'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
    );
    this.name = 'SubnetPoolExhaustedError';
  }
}

/** The network has no address left for another task or virtual IP. */
export class AddressesExhaustedError extends AllocatorError {
  readonly code = 'ADDRESSES_EXHAUSTED';
  constructor(readonly networkId: string) {
    super(`no available IPv4 addresses on network ${networkId}: remove tasks or use a larger --subnet`);
    this.name = 'AddressesExhaustedError';
  }
}

/** Every VXLAN network identifier is taken (16 million networks). */
export class VniExhaustedError extends AllocatorError {
  readonly code = 'VNI_EXHAUSTED';
  constructor() {
    super('no VXLAN network identifier left for another overlay network');
    this.name = 'VniExhaustedError';
  }
}

/** `--opt encrypted`: IPsec between overlay peers is not built yet. */
export class EncryptedNetworkError extends AllocatorError {
  readonly code = 'ENCRYPTED_NOT_SUPPORTED';
  constructor() {
    super('encrypted overlay networks are not supported yet');
    this.name = 'EncryptedNetworkError';
  }
}

/** A published port another service already holds. */
export class PortInUseError extends AllocatorError {
  readonly code = 'PORT_IN_USE';
  constructor(
    readonly port: number,
    readonly protocol: string,
    readonly serviceId: string,
  ) {
    super(`published port ${port}/${protocol} is already in use by service ${serviceId}`);
    this.name = 'PortInUseError';
  }
}

/** Every port of the dynamic range (30000-32767) is published already. */
export class DynamicPortsExhaustedError extends AllocatorError {
  readonly code = 'PORTS_EXHAUSTED';
  constructor(readonly protocol: string) {
    super(`no free ${protocol} port left in the dynamic range 30000-32767: publish a port explicitly`);
    this.name = 'DynamicPortsExhaustedError';
  }
}

/** A network spec shoal cannot allocate (another driver, IPv6, several subnets). */
export class UnsupportedNetworkError extends AllocatorError {
  readonly code = 'UNSUPPORTED_NETWORK';
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'UnsupportedNetworkError';
  }
}
