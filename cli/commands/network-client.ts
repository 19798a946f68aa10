// The /networks calls of the Docker Engine API and the JSON they carry, over the CLI's daemon
// transport (the swarm-scoped subset shoal serves: NetworkResource, NetworkCreateRequest).
import { API_VERSION, encodeFilters, type DockerApi } from '../client/docker-api.js';
import { MalformedResponseError } from '../client/errors.js';
import type { QueryValue } from '../client/http-transport.js';
import type { FilterArgs } from '../client/types.js';
import type { DockerIpamConfig, DockerNetworkCreate } from '../../api/docker/network.js';
import type {
  DockerNetworkCreateResponse,
  DockerNetworkResource,
} from '../../api/docker/network-resource.js';

export type IpamConfig = DockerIpamConfig;
export type NetworkCreateRequest = DockerNetworkCreate;

/**
 * A network as an engine answers: shoal sends every field of Docker's NetworkResource, the CLI
 * relies only on these four (another engine may leave the rest out).
 */
export type NetworkResource = Pick<DockerNetworkResource, 'Name' | 'Id' | 'Scope' | 'Driver'> &
  Partial<DockerNetworkResource>;

export class NetworkClient {
  constructor(private readonly api: DockerApi) {}

  private async call<T>(
    method: string,
    path: string,
    query?: Record<string, QueryValue>,
    body?: unknown,
  ): Promise<T> {
    const res = await this.api.transport.request(method, `/v${API_VERSION}${path}`, {
      ...(query === undefined ? {} : { query }),
      ...(body === undefined ? {} : { body }),
    });
    if (res.body.length === 0) return undefined as T;
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch (e: unknown) {
      throw new MalformedResponseError(path, e instanceof Error ? e.message : String(e));
    }
  }

  list(filters?: FilterArgs): Promise<NetworkResource[]> {
    return this.call('GET', '/networks', { filters: encodeFilters(filters) });
  }

  inspect(ref: string, verbose = false): Promise<NetworkResource> {
    return this.call('GET', `/networks/${encodeURIComponent(ref)}`, {
      verbose: verbose ? 'true' : undefined,
    });
  }

  create(req: NetworkCreateRequest): Promise<DockerNetworkCreateResponse> {
    return this.call('POST', '/networks/create', undefined, req);
  }

  async remove(ref: string): Promise<void> {
    await this.call('DELETE', `/networks/${encodeURIComponent(ref)}`);
  }
}
