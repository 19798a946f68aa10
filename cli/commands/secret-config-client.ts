// The /secrets and /configs calls of the Docker Engine API over the CLI's daemon transport.
// Both kinds take the same routes and verbs; only the path and the object's JSON differ.
import { API_VERSION, encodeFilters, type DockerApi } from '../client/docker-api.js';
import { MalformedResponseError } from '../client/errors.js';
import type { QueryValue } from '../client/http-transport.js';
import type { FilterArgs } from '../client/types.js';
import type {
  DockerConfig,
  DockerConfigSpec,
  DockerSecret,
  DockerSecretSpec,
} from '../client/secret-config-types.js';

export type SwarmDataKind = 'secret' | 'config';

interface KindTypes {
  secret: { object: DockerSecret; spec: DockerSecretSpec };
  config: { object: DockerConfig; spec: DockerConfigSpec };
}

export type DataObject<K extends SwarmDataKind> = KindTypes[K]['object'];
export type DataSpec<K extends SwarmDataKind> = KindTypes[K]['spec'];

function createdId(path: string, body: unknown): string {
  // Docker's type has no JSON tag ("ID"); its API document says "Id". Go reads either.
  if (typeof body === 'object' && body !== null) {
    const id = 'ID' in body ? body.ID : 'Id' in body ? body.Id : undefined;
    if (typeof id === 'string') return id;
  }
  throw new MalformedResponseError(path, 'no ID in the create response');
}

export class SecretConfigClient<K extends SwarmDataKind> {
  private readonly base: string;

  constructor(
    private readonly api: DockerApi,
    readonly kind: K,
  ) {
    this.base = `/${kind}s`;
  }

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

  list(filters?: FilterArgs): Promise<DataObject<K>[]> {
    return this.call('GET', this.base, { filters: encodeFilters(filters) });
  }

  inspect(ref: string): Promise<DataObject<K>> {
    return this.call('GET', `${this.base}/${encodeURIComponent(ref)}`);
  }

  /** Returns the new object's ID. */
  async create(spec: DataSpec<K>): Promise<string> {
    const path = `${this.base}/create`;
    return createdId(path, await this.call<unknown>('POST', path, undefined, spec));
  }

  async update(id: string, version: number, spec: DataSpec<K>): Promise<void> {
    await this.call('POST', `${this.base}/${encodeURIComponent(id)}/update`, { version }, spec);
  }

  async remove(ref: string): Promise<void> {
    await this.call('DELETE', `${this.base}/${encodeURIComponent(ref)}`);
  }
}
