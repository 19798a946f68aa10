// The ContainerSpec a request that says nothing else means: the image, every list and map empty,
// every switch off (Docker's zero values). Used where shoal makes a spec itself (a network
// attachment task, the control-plane demo).

import type { ContainerSpec } from './task-spec.js';

export function containerSpecFor(image: string): ContainerSpec {
  return {
    image,
    labels: {},
    command: [],
    args: [],
    env: [],
    groups: [],
    tty: false,
    openStdin: false,
    readOnly: false,
    mounts: [],
    hosts: [],
    secrets: [],
    configs: [],
    sysctls: {},
    capabilityAdd: [],
    capabilityDrop: [],
  };
}
