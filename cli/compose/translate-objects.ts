// The stack's networks, secrets and configs as the Docker objects to create: names scoped to
// the stack unless external or named, the namespace label, file contents read for secrets and
// configs; and the names services refer to them by.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { DockerNetworkCreate } from '../../api/docker/network.js';
import type { DockerSecretSpec, DockerConfigSpec } from '../client/secret-config-types.js';
import type { NormalizedCompose } from './normalize.js';
import { scoped, withNamespace } from './names.js';
import { TranslateError } from './translate-deploy.js';
import { bool, isObj, obj, str, stringMap, type Obj } from './values.js';

/** Secret and config files over this size are refused (Docker's own limit is 500 KiB). */
const MAX_DATA_BYTES = 500 * 1024;

export interface StackNetwork {
  readonly key: string;
  readonly name: string;
  readonly external: boolean;
  readonly create?: DockerNetworkCreate;
}

/** The name a top-level entry is known by in the swarm. */
export function objectName(stack: string, key: string, def: Obj | undefined): string {
  const explicit = str(def?.['name']);
  if (bool(def?.['external']) === true || isObj(def?.['external'])) {
    return str(obj(def?.['external'])['name']) ?? explicit ?? key;
  }
  return explicit ?? scoped(stack, key);
}

export function isExternal(def: Obj | undefined): boolean {
  return bool(def?.['external']) === true || isObj(def?.['external']);
}

/** The networks the services use, `default` included when a service names none. */
export function stackNetworks(stack: string, compose: NormalizedCompose): StackNetwork[] {
  const used = new Set<string>();
  for (const [name, svc] of Object.entries(compose.services)) {
    const nets = obj(svc['networks']);
    const keys = Object.keys(nets);
    if (keys.length === 0) used.add('default');
    for (const k of keys) {
      if (k !== 'default' && compose.networks[k] === undefined)
        throw new TranslateError(
          `service ${name} references network ${JSON.stringify(k)}, which is not declared`,
        );
      used.add(k);
    }
  }
  return [...used].sort().map((key): StackNetwork => {
    const def = compose.networks[key];
    const name = objectName(stack, key, def);
    if (isExternal(def)) return { key, name, external: true };
    const d = def ?? {};
    const create: DockerNetworkCreate = {
      Name: name,
      Labels: withNamespace(stack, stringMap(d['labels'])),
      Driver: str(d['driver']) ?? 'overlay',
      Scope: 'swarm',
    };
    const opts = stringMap(d['driver_opts']);
    if (Object.keys(opts).length > 0) create.Options = opts;
    if (bool(d['internal']) === true) create.Internal = true;
    if (bool(d['attachable']) === true) create.Attachable = true;
    if (isObj(d['ipam'])) {
      const ipam = d['ipam'];
      const config = Array.isArray(ipam['config']) ? ipam['config'] : [];
      create.IPAM = {
        Driver: str(ipam['driver']) ?? 'default',
        Config: config.map((c: unknown) => {
          const o = obj(c);
          const entry: Record<string, string | Record<string, string>> = {};
          const put = (k: string, v: string | undefined): void => {
            if (v !== undefined) entry[k] = v;
          };
          put('Subnet', str(o['subnet']));
          put('IPRange', str(o['ip_range']));
          put('Gateway', str(o['gateway']));
          const aux = stringMap(o['aux_addresses']);
          if (Object.keys(aux).length > 0) entry['AuxiliaryAddresses'] = aux;
          return entry;
        }),
      };
    }
    return { key, name, external: false, create };
  });
}

export interface StackData<S> {
  readonly key: string;
  readonly name: string;
  readonly external: boolean;
  readonly spec?: S;
}

function readData(workingDir: string, file: string, what: string): string {
  const path = isAbsolute(file) ? file : join(workingDir, file);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new TranslateError(`${what}: cannot read ${file}: no such file`);
  }
  if (size > MAX_DATA_BYTES)
    throw new TranslateError(`${what}: ${file} is larger than ${MAX_DATA_BYTES} bytes`);
  return readFileSync(path).toString('base64');
}

/** The secrets (or configs) the services refer to, with their contents for the ones to create. */
export function stackData(
  stack: string,
  kind: 'secret' | 'config',
  compose: NormalizedCompose,
  workingDir: string,
): StackData<DockerSecretSpec | DockerConfigSpec>[] {
  const defs = kind === 'secret' ? compose.secrets : compose.configs;
  const used = new Set<string>();
  for (const [svcName, svc] of Object.entries(compose.services)) {
    const refs = Array.isArray(svc[`${kind}s`]) ? (svc[`${kind}s`] as unknown[]) : [];
    for (const r of refs) {
      const src = str(obj(r)['source']) ?? '';
      if (defs[src] === undefined)
        throw new TranslateError(
          `service ${svcName} references ${kind} ${JSON.stringify(src)}, which is not declared`,
        );
      used.add(src);
    }
  }
  return [...used].sort().map((key) => {
    const def = defs[key] ?? {};
    const name = objectName(stack, key, def);
    if (isExternal(def)) return { key, name, external: true };
    const file = str(def['file']);
    if (file === undefined)
      throw new TranslateError(`${kind} ${key}: only file or external ${kind}s are supported`);
    const spec: DockerSecretSpec = {
      Name: name,
      Labels: withNamespace(stack, stringMap(def['labels'])),
      Data: readData(workingDir, file, `${kind} ${key}`),
    };
    const driver = str(def['template_driver']);
    return {
      key,
      name,
      external: false,
      spec: driver === undefined ? spec : { ...spec, Templating: { Name: driver } },
    };
  });
}
