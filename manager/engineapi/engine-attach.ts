// `docker run --network NET` and `docker network connect NET C` where NET is an attachable swarm
// overlay, on any node of the swarm, as dockerd does in swarm mode: the container gets an
// address from the cluster's allocator (through this node's agent, which also programs the
// network here), and the request goes on to the engine naming the engine's copy of the network
// with that address. Anything else about the request is the engine's: a network the swarm does
// not have passes through unchanged, and the engine answers for it. A creation the engine
// refuses releases the attachments made for it.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { passToEngine } from './engine-passthrough.js';
import { JSON_BODY_MAX_BYTES, JSON_MAX_DEPTH, jsonTooDeep } from './json-limits.js';
import { engineRequest, type LocalEngine } from './local-engine.js';
import { ENGINE_COPY_LABEL } from './routes/engine-merge.js';
import type { NetworkAttachResult, SwarmControl } from './swarm-control.js';

type Json = Record<string, unknown>;

/** Most networks one container create may name (Docker's CLI sends one per --network). */
const MAX_NETWORKS_PER_CREATE = 64;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Network modes that never name a swarm network. */
function isBuiltinMode(mode: string): boolean {
  return ['', 'default', 'bridge', 'host', 'none'].includes(mode) || mode.startsWith('container:');
}

/** A container name as Docker takes it (`?name=`); undefined for none or one Docker refuses. */
function containerNameOf(request: FastifyRequest): string | undefined {
  const q = request.query as Record<string, unknown> | undefined;
  const name = typeof q?.['name'] === 'string' ? q['name'].replace(/^\//, '') : '';
  return /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,252}$/.test(name) ? name : undefined;
}

/** The name of the engine's container `idOrName` (without its leading slash), if it has one. */
async function engineContainerName(engine: LocalEngine, idOrName: string): Promise<string | undefined> {
  if (idOrName === '') return undefined;
  const answer = await engineRequest(engine, 'GET', `/containers/${encodeURIComponent(idOrName)}/json`);
  if (answer.status !== 200) return undefined;
  try {
    const inspected: unknown = JSON.parse(answer.body.toString('utf8'));
    const name = isObject(inspected) && typeof inspected['Name'] === 'string' ? inspected['Name'] : '';
    const bare = name.replace(/^\//, '');
    return /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,252}$/.test(bare) ? bare : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a raw request body, at most JSON_BODY_MAX_BYTES. */
async function readBody(request: FastifyRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of request.body as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > JSON_BODY_MAX_BYTES)
      throw new ApiError(400, `request body larger than ${JSON_BODY_MAX_BYTES} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer): Json | undefined {
  if (raw.length === 0 || jsonTooDeep(raw, JSON_MAX_DEPTH)) return undefined;
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `name` may be a swarm network, and which: the engine's own network is the engine's;
 * its copy of a cluster network names the cluster network's ID; a name it does not know may
 * be the swarm's.
 */
async function swarmCandidate(engine: LocalEngine, name: string): Promise<string | undefined> {
  const answer = await engineRequest(engine, 'GET', `/networks/${encodeURIComponent(name)}`);
  if (answer.status === 404) return name;
  if (answer.status !== 200) return undefined;
  let inspected: unknown;
  try {
    inspected = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return undefined;
  }
  const labels = isObject(inspected) && isObject(inspected['Labels']) ? inspected['Labels'] : {};
  const clusterId = labels[ENGINE_COPY_LABEL];
  return typeof clusterId === 'string' && clusterId !== '' ? clusterId : undefined;
}

/** The endpoint settings a request gives for a network, with the attachment's address put in. */
function withAddress(settings: unknown, address: string): Json {
  const s = isObject(settings) ? settings : {};
  const ipam = isObject(s['IPAMConfig']) ? s['IPAMConfig'] : {};
  return { ...s, IPAMConfig: { ...ipam, IPv4Address: address } };
}

function requestedAddress(settings: unknown): string | undefined {
  if (!isObject(settings) || !isObject(settings['IPAMConfig'])) return undefined;
  const a = settings['IPAMConfig']['IPv4Address'];
  return typeof a === 'string' && a !== '' ? a : undefined;
}

function aliasesOf(settings: unknown): string[] {
  if (!isObject(settings) || !Array.isArray(settings['Aliases'])) return [];
  return settings['Aliases'].filter((a): a is string => typeof a === 'string');
}

async function attach(
  control: SwarmControl,
  engine: LocalEngine,
  name: string,
  settings: unknown,
  signal: AbortSignal,
  containerId?: string,
  containerName?: string,
): Promise<NetworkAttachResult | undefined> {
  if (control.attachNetwork === undefined || control.localNodeState() !== 'active') return undefined;
  const network = await swarmCandidate(engine, name);
  if (network === undefined) return undefined;
  const address = requestedAddress(settings);
  // Other containers and tasks on the network reach it by its name too, as in Docker.
  const names = [
    ...new Set([...(containerName === undefined ? [] : [containerName]), ...aliasesOf(settings)]),
  ];
  return control.attachNetwork(
    {
      network,
      aliases: names,
      ...(address === undefined ? {} : { address }),
      ...(containerId === undefined ? {} : { containerId }),
    },
    signal,
  );
}

function releaseAll(control: SwarmControl, made: readonly NetworkAttachResult[]): void {
  for (const m of made) void control.detachNetwork?.(m.attachmentId).catch(() => undefined);
}

/** POST /containers/create: swarm networks among its networks get attachments first. */
export async function createContainer(
  control: SwarmControl,
  engine: LocalEngine,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const raw = await readBody(request);
  const body = parseJson(raw);
  const hostConfig = body !== undefined && isObject(body['HostConfig']) ? body['HostConfig'] : undefined;
  const networking = body !== undefined && isObject(body['NetworkingConfig']) ? body['NetworkingConfig'] : {};
  const endpoints = isObject(networking['EndpointsConfig']) ? networking['EndpointsConfig'] : {};
  const mode = typeof hostConfig?.['NetworkMode'] === 'string' ? hostConfig['NetworkMode'] : '';
  const names = [...new Set([mode, ...Object.keys(endpoints)])].filter((n) => !isBuiltinMode(n));
  if (body === undefined || names.length === 0)
    return passToEngine(request, reply, { body: raw.toString('utf8') });
  if (names.length > MAX_NETWORKS_PER_CREATE)
    throw new ApiError(400, `a container can join at most ${MAX_NETWORKS_PER_CREATE} networks at creation`);

  const abort = new AbortController();
  request.raw.once('close', () => abort.abort());
  const containerName = containerNameOf(request);
  const made: NetworkAttachResult[] = [];
  const rewritten: Json = { ...endpoints };
  let networkMode = mode;
  try {
    for (const name of names) {
      const a = await attach(control, engine, name, endpoints[name], abort.signal, undefined, containerName);
      if (a === undefined) continue;
      made.push(a);
      const settings = withAddress(endpoints[name], a.address);
      delete rewritten[name];
      rewritten[a.engineNetwork] = settings;
      if (networkMode === name) networkMode = a.engineNetwork;
    }
  } catch (e: unknown) {
    releaseAll(control, made);
    throw e;
  }
  if (made.length === 0) return passToEngine(request, reply, { body: raw.toString('utf8') });
  const out: Json = {
    ...body,
    HostConfig: { ...(hostConfig ?? {}), NetworkMode: networkMode },
    NetworkingConfig: { ...networking, EndpointsConfig: rewritten },
  };
  return passToEngine(request, reply, {
    body: JSON.stringify(out),
    onStatus: (status) => {
      if (status >= 300) releaseAll(control, made);
    },
  });
}

/** POST /networks/{id}/connect: a swarm network gets an attachment for the container first. */
export async function connectContainer(
  control: SwarmControl,
  engine: LocalEngine,
  networkName: string,
  body: Json,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const container = typeof body['Container'] === 'string' ? body['Container'] : '';
  const settings = body['EndpointConfig'];
  const abort = new AbortController();
  request.raw.once('close', () => abort.abort());
  const a = await attach(
    control,
    engine,
    networkName,
    settings,
    abort.signal,
    container,
    await engineContainerName(engine, container),
  );
  if (a === undefined) return passToEngine(request, reply, { body: JSON.stringify(body) });
  const prefix = request.originalUrl.slice(0, request.originalUrl.indexOf('/networks/'));
  return passToEngine(request, reply, {
    url: `${prefix}/networks/${encodeURIComponent(a.engineNetwork)}/connect`,
    body: JSON.stringify({ ...body, EndpointConfig: withAddress(settings, a.address) }),
    onStatus: (status) => {
      if (status >= 300) releaseAll(control, [a]);
    },
  });
}
