// Stored objects for the allocator's tests: the store's fixtures with meta filled in.

import type {
  Network,
  NetworkAttachmentConfig,
  PortConfig,
  Service,
  Task,
} from '../../../api/objects/index.js';
import { newNetwork, newService, newTask } from '../../store/test/fixtures.js';

const meta = { version: 1, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };

export function network(id: string, change: (n: Network) => void = () => undefined): Network {
  const n: Network = { ...newNetwork(id, `net-${id}`), meta };
  change(n);
  return n;
}

export function service(
  id: string,
  networks: string[] = [],
  ports?: PortConfig[],
  mode: 'vip' | 'dnsrr' = 'vip',
): Service {
  const s: Service = { ...newService(id, `svc-${id}`), meta };
  s.spec.taskTemplate.networks = networks.map((target): NetworkAttachmentConfig => ({
    target,
    aliases: [],
    driverOpts: {},
  }));
  if (ports !== undefined) s.spec.endpointSpec = { mode, ports };
  return s;
}

export function task(id: string, s: Service, change: (t: Task) => void = () => undefined): Task {
  const t: Task = { ...newTask(id, s.id, 1), meta };
  t.spec = structuredClone(s.spec.taskTemplate);
  change(t);
  return t;
}

export const published = (target: number, port = 0): PortConfig => ({
  protocol: 'tcp',
  targetPort: target,
  publishedPort: port,
  publishMode: 'ingress',
});
