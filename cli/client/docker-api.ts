// Typed calls to the Docker Engine API (swarm subset, v1.41) that the shoal daemon serves.
import type { Readable } from 'node:stream';
import { MalformedResponseError } from './errors.js';
import type { HttpTransport, QueryValue } from './http-transport.js';
import type { DockerUnlockKeyResponse } from '../../api/docker/cluster.js';
import type {
  FilterArgs,
  DockerNode,
  DockerNodeSpec,
  DockerService,
  DockerServiceCreateResponse,
  DockerServiceSpec,
  DockerServiceUpdateResponse,
  DockerSwarm,
  SwarmInitRequest,
  SwarmJoinRequest,
  SwarmSpec,
  SwarmUpdateFlags,
  DockerSystemInfo,
  DockerSystemVersion,
  DockerTask,
} from './types.js';

export const API_VERSION = '1.41';

/** Docker's filter encoding: {"key": {"value": true, ...}, ...}; undefined when empty. */
export function encodeFilters(filters: FilterArgs | undefined): string | undefined {
  if (filters === undefined) return undefined;
  const out: Record<string, Record<string, boolean>> = {};
  let any = false;
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    const set: Record<string, boolean> = {};
    for (const v of values) set[v] = true;
    out[key] = set;
    any = true;
  }
  return any ? JSON.stringify(out) : undefined;
}

/** The options of a GET /services/{id}/logs or /tasks/{id}/logs, as the CLI asks them. */
export interface LogsRequestOptions {
  readonly follow?: boolean;
  readonly timestamps?: boolean;
  readonly tail?: string;
  readonly since?: string;
  readonly details?: boolean;
  readonly signal?: AbortSignal;
}

export interface ServiceUpdateOptions {
  readonly rollback?: boolean;
  readonly registryAuthFrom?: 'spec' | 'previous-spec';
}

export class DockerApi {
  constructor(readonly transport: HttpTransport) {}

  private path(p: string): string {
    return `/v${API_VERSION}${p}`;
  }

  private async json<T>(
    method: string,
    p: string,
    query?: Readonly<Record<string, QueryValue>>,
    body?: unknown,
  ): Promise<T> {
    const res = await this.transport.request(method, this.path(p), {
      ...(query !== undefined ? { query } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    const text = res.body.toString('utf8');
    try {
      return JSON.parse(text) as T;
    } catch (e: unknown) {
      throw new MalformedResponseError(p, e instanceof Error ? e.message : String(e));
    }
  }

  private async send(
    method: string,
    p: string,
    query?: Readonly<Record<string, QueryValue>>,
    body?: unknown,
  ): Promise<void> {
    await this.transport.request(method, this.path(p), {
      ...(query !== undefined ? { query } : {}),
      ...(body !== undefined ? { body } : {}),
    });
  }

  // ---- system ----

  version(): Promise<DockerSystemVersion> {
    return this.json('GET', '/version');
  }

  info(): Promise<DockerSystemInfo> {
    return this.json('GET', '/info');
  }

  // ---- swarm ----

  swarmInspect(): Promise<DockerSwarm> {
    return this.json('GET', '/swarm');
  }

  /** Returns the new node's ID. */
  swarmInit(req: SwarmInitRequest): Promise<string> {
    return this.json('POST', '/swarm/init', undefined, req);
  }

  swarmJoin(req: SwarmJoinRequest): Promise<void> {
    return this.send('POST', '/swarm/join', undefined, req);
  }

  swarmLeave(force: boolean): Promise<void> {
    return this.send('POST', '/swarm/leave', { force: force ? 'true' : undefined });
  }

  swarmUpdate(version: number, spec: SwarmSpec, flags: SwarmUpdateFlags): Promise<void> {
    return this.send(
      'POST',
      '/swarm/update',
      {
        version,
        rotateWorkerToken: String(flags.rotateWorkerToken),
        rotateManagerToken: String(flags.rotateManagerToken),
        rotateManagerUnlockKey: String(flags.rotateManagerUnlockKey),
      },
      spec,
    );
  }

  swarmUnlock(unlockKey: string): Promise<void> {
    return this.send('POST', '/swarm/unlock', {}, { UnlockKey: unlockKey });
  }

  swarmUnlockKey(): Promise<DockerUnlockKeyResponse> {
    return this.json('GET', '/swarm/unlockkey');
  }

  // ---- nodes ----

  nodeList(filters?: FilterArgs): Promise<DockerNode[]> {
    return this.json('GET', '/nodes', { filters: encodeFilters(filters) });
  }

  nodeInspect(id: string): Promise<DockerNode> {
    return this.json('GET', `/nodes/${encodeURIComponent(id)}`);
  }

  nodeUpdate(id: string, version: number, spec: DockerNodeSpec): Promise<void> {
    return this.send('POST', `/nodes/${encodeURIComponent(id)}/update`, { version }, spec);
  }

  nodeRemove(id: string, force: boolean): Promise<void> {
    return this.send('DELETE', `/nodes/${encodeURIComponent(id)}`, {
      force: force ? 'true' : undefined,
    });
  }

  // ---- services ----

  serviceList(filters?: FilterArgs, status = false): Promise<DockerService[]> {
    return this.json('GET', '/services', {
      filters: encodeFilters(filters),
      status: status ? 'true' : undefined,
    });
  }

  serviceInspect(id: string, insertDefaults = false): Promise<DockerService> {
    return this.json('GET', `/services/${encodeURIComponent(id)}`, {
      insertDefaults: String(insertDefaults),
    });
  }

  serviceCreate(spec: DockerServiceSpec): Promise<DockerServiceCreateResponse> {
    return this.json('POST', '/services/create', undefined, spec);
  }

  serviceUpdate(
    id: string,
    version: number,
    spec: DockerServiceSpec,
    options: ServiceUpdateOptions = {},
  ): Promise<DockerServiceUpdateResponse> {
    return this.json(
      'POST',
      `/services/${encodeURIComponent(id)}/update`,
      {
        version,
        registryAuthFrom: options.registryAuthFrom,
        rollback: options.rollback === true ? 'previous' : undefined,
      },
      spec,
    );
  }

  serviceRemove(id: string): Promise<void> {
    return this.send('DELETE', `/services/${encodeURIComponent(id)}`);
  }

  serviceLogs(id: string, options: LogsRequestOptions): Promise<Readable> {
    return this.logs(`/services/${encodeURIComponent(id)}/logs`, options);
  }

  // ---- tasks ----

  taskList(filters?: FilterArgs): Promise<DockerTask[]> {
    return this.json('GET', '/tasks', { filters: encodeFilters(filters) });
  }

  taskInspect(id: string): Promise<DockerTask> {
    return this.json('GET', `/tasks/${encodeURIComponent(id)}`);
  }

  taskLogs(id: string, options: LogsRequestOptions): Promise<Readable> {
    return this.logs(`/tasks/${encodeURIComponent(id)}/logs`, options);
  }

  private async logs(p: string, options: LogsRequestOptions): Promise<Readable> {
    const res = await this.transport.stream('GET', this.path(p), {
      query: {
        stdout: true,
        stderr: true,
        follow: options.follow === true ? true : undefined,
        timestamps: options.timestamps === true ? true : undefined,
        details: options.details === true ? true : undefined,
        tail: options.tail,
        since: options.since,
      },
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    return res.body;
  }
}
