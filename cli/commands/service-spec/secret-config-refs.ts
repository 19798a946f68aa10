// --secret / --config values (src=NAME,target=T,uid=U,gid=G,mode=0444, or just NAME) into
// the references of a ContainerSpec, and their names resolved to IDs the way the docker
// CLI does it: one list call filtered by name, then an exact match per reference (the
// daemon's name filter matches prefixes).
import type { DockerApi } from '../../client/docker-api.js';
import type { DockerContainerSpec } from '../../client/types.js';
import { CliError } from '../cli-error.js';
import { SecretConfigClient, type SwarmDataKind } from '../secret-config-client.js';
import { FlagValueError } from './flag-values.js';
import { splitCsvFields } from './shell-words.js';

export type DockerSecretReference = NonNullable<DockerContainerSpec['Secrets']>[number];
export type DockerConfigReference = NonNullable<DockerContainerSpec['Configs']>[number];
type FileTarget = NonNullable<DockerSecretReference['File']>;

/** Go's strconv.ParseUint(value, 0, 32): 0x/0o/0b prefixes, and a leading 0 means octal. */
export function parseFileMode(value: string): number {
  const syntax = (): Error =>
    new Error(`strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
  let digits = value.replace(/_/g, '');
  if (value.startsWith('_') || value.endsWith('_') || value.includes('__')) throw syntax();
  let base = 10;
  const prefix = /^0([xXoObB])/.exec(digits);
  if (prefix !== null) {
    const p = (prefix[1] ?? '').toLowerCase();
    base = p === 'x' ? 16 : p === 'o' ? 8 : 2;
    digits = digits.slice(2);
  } else if (digits.length > 1 && digits.startsWith('0')) {
    base = 8;
    digits = digits.slice(1);
  }
  const allowed = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^\d+$/, 16: /^[0-9a-fA-F]+$/ }[base];
  if (allowed === undefined || !allowed.test(digits)) throw syntax();
  const n = parseInt(digits, base);
  if (n > 0xffffffff) {
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(value)}: value out of range`);
  }
  return n;
}

interface ParsedRef {
  readonly name: string;
  readonly file: FileTarget;
}

function parseRef(kind: SwarmDataKind, flag: string, value: string): ParsedRef {
  const file: FileTarget = { Name: '', UID: '0', GID: '0', Mode: 0o444 };
  let fields: string[];
  try {
    fields = splitCsvFields(value);
  } catch (e: unknown) {
    throw new FlagValueError(flag, value, e instanceof Error ? e.message : String(e));
  }
  // The short form: --secret NAME mounts it under its own name.
  const only = fields[0];
  if (fields.length === 1 && only !== undefined && !only.includes('=')) {
    return { name: only, file: { ...file, Name: only } };
  }
  let name = '';
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq <= 0) throw new FlagValueError(flag, value, `invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, eq).toLowerCase();
    const val = field.slice(eq + 1);
    if (key === 'source' || key === 'src') name = val;
    else if (key === 'target') file.Name = val;
    else if (key === 'uid') file.UID = val;
    else if (key === 'gid') file.GID = val;
    else if (key === 'mode') {
      try {
        file.Mode = parseFileMode(val);
      } catch (e: unknown) {
        throw new FlagValueError(
          flag,
          value,
          `invalid mode specified: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    } else throw new FlagValueError(flag, value, `invalid field in ${kind} request: ${key}`);
  }
  if (name === '') throw new FlagValueError(flag, value, 'source is required');
  if (file.Name === '') file.Name = name;
  return { name, file };
}

/** One --secret value; SecretID is filled in by resolveSecretRefs. */
export function parseSecretRef(value: string, flag = 'secret'): DockerSecretReference {
  const { name, file } = parseRef('secret', flag, value);
  return { File: file, SecretName: name };
}

/** One --config value; ConfigID is filled in by resolveConfigRefs. */
export function parseConfigRef(value: string, flag = 'config'): DockerConfigReference {
  const { name, file } = parseRef('config', flag, value);
  return { File: file, ConfigName: name };
}

/** Refuses two references that land on the same file, as the docker CLI does. */
function checkTargets(kind: SwarmDataKind, refs: readonly { name: string; target: string }[]): void {
  const seen = new Set<string>();
  for (const r of refs) {
    if (seen.has(r.target)) {
      throw new CliError(`duplicate ${kind} target for ${r.name} not allowed`, 'DUPLICATE_TARGET');
    }
    seen.add(r.target);
  }
}

/** Name -> ID for the given names, exact matches only. */
async function idsByName(
  api: DockerApi,
  kind: SwarmDataKind,
  names: readonly string[],
): Promise<Map<string, string>> {
  const found = await new SecretConfigClient(api, kind).list({ name: [...new Set(names)] });
  const ids = new Map<string, string>();
  for (const o of found) if (o.Spec.Name !== undefined) ids.set(o.Spec.Name, o.ID);
  return ids;
}

export async function resolveSecretRefs(
  api: DockerApi,
  refs: readonly DockerSecretReference[],
): Promise<DockerSecretReference[]> {
  if (refs.length === 0) return [];
  checkTargets(
    'secret',
    refs.map((r) => ({ name: r.SecretName ?? '', target: r.File?.Name ?? '' })),
  );
  const ids = await idsByName(
    api,
    'secret',
    refs.map((r) => r.SecretName ?? ''),
  );
  return refs.map((r) => {
    const id = ids.get(r.SecretName ?? '');
    if (id === undefined) throw new CliError(`secret not found: ${r.SecretName ?? ''}`, 'NO_SUCH_SECRET');
    return { ...r, SecretID: id };
  });
}

export async function resolveConfigRefs(
  api: DockerApi,
  refs: readonly DockerConfigReference[],
): Promise<DockerConfigReference[]> {
  if (refs.length === 0) return [];
  checkTargets(
    'config',
    refs.map((r) => ({ name: r.ConfigName ?? '', target: r.File?.Name ?? '' })),
  );
  const ids = await idsByName(
    api,
    'config',
    refs.map((r) => r.ConfigName ?? ''),
  );
  return refs.map((r) => {
    const id = ids.get(r.ConfigName ?? '');
    if (id === undefined) throw new CliError(`config not found: ${r.ConfigName ?? ''}`, 'NO_SUCH_CONFIG');
    return { ...r, ConfigID: id };
  });
}

export interface SecretConfigFlags {
  secret?: string[];
  config?: string[];
  secretAdd?: string[];
  secretRm?: string[];
  configAdd?: string[];
  configRm?: string[];
}

/** `service create`: the --secret and --config references, resolved, on the container spec. */
export async function applyCreateRefs(
  api: DockerApi,
  container: DockerContainerSpec,
  flags: SecretConfigFlags,
): Promise<void> {
  const secrets = (flags.secret ?? []).map((v) => parseSecretRef(v));
  const configs = (flags.config ?? []).map((v) => parseConfigRef(v));
  if (secrets.length > 0) container.Secrets = await resolveSecretRefs(api, secrets);
  if (configs.length > 0) container.Configs = await resolveConfigRefs(api, configs);
}

/**
 * `service update`: --secret-rm (by name) then --secret-add, likewise for configs; the other
 * references stay as they are. Lists not named by a flag are left untouched.
 */
export async function applyUpdateRefs(
  api: DockerApi,
  container: DockerContainerSpec,
  flags: SecretConfigFlags,
): Promise<void> {
  const secretAdd = (flags.secretAdd ?? []).map((v) => parseSecretRef(v, 'secret-add'));
  const configAdd = (flags.configAdd ?? []).map((v) => parseConfigRef(v, 'config-add'));
  const secretRm = flags.secretRm ?? [];
  const configRm = flags.configRm ?? [];
  if (secretAdd.length > 0 || secretRm.length > 0) {
    const kept = (container.Secrets ?? []).filter((r) => !secretRm.includes(r.SecretName ?? ''));
    container.Secrets = [...kept, ...(await resolveSecretRefs(api, secretAdd))];
    // Go's omitempty: docker sends no list rather than an empty one.
    if (container.Secrets.length === 0) delete container.Secrets;
  }
  if (configAdd.length > 0 || configRm.length > 0) {
    const kept = (container.Configs ?? []).filter((r) => !configRm.includes(r.ConfigName ?? ''));
    container.Configs = [...kept, ...(await resolveConfigRefs(api, configAdd))];
    if (container.Configs.length === 0) delete container.Configs;
  }
}
