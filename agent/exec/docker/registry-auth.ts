// Registry credentials for pulls: the X-Registry-Auth body the engine expects, and a resolver
// that reads them from a docker CLI config file (~/.docker/config.json `auths`), which is where
// an operator who ran `docker login` on the node has them.

import { readFile } from 'node:fs/promises';
import { ExecError } from '../errors.js';

/** Docker's AuthConfig (sent base64-encoded in X-Registry-Auth). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Credentials for the registry host an image names ("docker.io", "registry.local:5000"). */
export type RegistryAuthResolver = (registry: string) => Promise<RegistryAuth | undefined>;

const DOCKER_HUB_KEYS = [
  'https://index.docker.io/v1/',
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
];

interface ConfigEntry {
  auth?: unknown;
  identitytoken?: unknown;
}

/** Reads `auths` from a docker CLI config file each time (so a fresh `docker login` applies). */
export function dockerConfigAuth(path: string): RegistryAuthResolver {
  return async (registry) => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e: unknown) {
      throw new ExecError(
        'IMAGE_PULL_FAILED',
        `registry credentials: ${path} is not valid JSON (${String(e)})`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const auths = (parsed as { auths?: unknown }).auths;
    if (typeof auths !== 'object' || auths === null) return undefined;
    const table = auths as Record<string, ConfigEntry | undefined>;
    const keys =
      registry === 'docker.io' ? DOCKER_HUB_KEYS : [registry, `https://${registry}`, `http://${registry}`];
    for (const key of keys) {
      const entry = table[key];
      if (entry !== undefined) return decodeEntry(key, entry, path);
    }
    return undefined;
  };
}

function decodeEntry(key: string, entry: ConfigEntry, path: string): RegistryAuth {
  const out: RegistryAuth = { serveraddress: key };
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new ExecError(
        'IMAGE_PULL_FAILED',
        `registry credentials: ${path}: the entry for ${key} is not base64 "user:password"`,
      );
    }
    out.username = decoded.slice(0, colon);
    out.password = decoded.slice(colon + 1);
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '')
    out.identitytoken = entry.identitytoken;
  return out;
}
