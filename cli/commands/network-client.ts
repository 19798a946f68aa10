// The /networks calls of the Docker Engine API and the JSON they carry, over the CLI's daemon
// transport (the swarm-scoped subset shoal serves: NetworkResource, NetworkCreateRequest).
import { API_VERSION, encodeFilters, type DockerApi } from '../client/docker-api.js';
import { MalformedResponseError } from '../client/errors.js';
import type { QueryValue } from '../client/http-transport.js';
import type { Filters } from '../client/types.js';

export interface IpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface NetworkResource {
  Name: string;
  Id: string;
  Created?: string;
  Scope: string;
  Driver: string;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Options?: Record<string, string> | null; Config?: IpamConfig[] | null };
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  Containers?: Record<string, unknown> | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export interface NetworkCreateRequest {
  Name: string;
  CheckDuplicate: boolean;
  Driver: string;
  Scope: string;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Config: IpamConfig[]; Options: Record<string, string> };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigOnly: boolean;
  ConfigFrom?: { Network: string };
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

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

  list(filters?: Filters): Promise<NetworkResource[]> {
    return this.call('GET', '/networks', { filters: encodeFilters(filters) });
  }

  inspect(ref: string, verbose = false): Promise<NetworkResource> {
    return this.call('GET', `/networks/${encodeURIComponent(ref)}`, {
      verbose: verbose ? 'true' : undefined,
    });
  }

  create(req: NetworkCreateRequest): Promise<{ Id: string; Warning?: string }> {
    return this.call('POST', '/networks/create', undefined, req);
  }

  async remove(ref: string): Promise<void> {
    await this.call('DELETE', `/networks/${encodeURIComponent(ref)}`);
  }
}
