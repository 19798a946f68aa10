// --mount values (type=volume,source=v,target=/data,readonly,...) into Mounts, with the
// keys and messages of the docker CLI's MountOpt.
import type { DockerMount } from '../../client/types.js';
import { ramInBytes } from '../../format/byte-units.js';
import { CliError } from '../cli-error.js';
import { splitCsvFields } from './shell-words.js';

export class MountSpecError extends CliError {
  constructor(message: string) {
    super(message, 'MOUNT_SPEC');
    this.name = 'MountSpecError';
  }
}

function parseBool(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (['1', 't', 'true'].includes(v)) return true;
  if (['0', 'f', 'false'].includes(v)) return false;
  throw new MountSpecError(`invalid value for ${key}: ${value}`);
}

const TYPES = ['bind', 'volume', 'tmpfs', 'npipe', 'cluster'] as const;

export function parseMountSpec(value: string): DockerMount {
  const fields = splitCsvFields(value);
  let type: DockerMount['Type'] = 'volume';
  const m: Omit<DockerMount, 'Type' | 'Target'> & { Target?: string } = {};
  const volume: NonNullable<DockerMount['VolumeOptions']> = {};
  const bind: NonNullable<DockerMount['BindOptions']> = {};
  const tmpfs: NonNullable<DockerMount['TmpfsOptions']> = {};
  let usedVolume = false;
  let usedBind = false;
  let usedTmpfs = false;
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    if (val === undefined) {
      if (key === 'readonly' || key === 'ro') {
        m.ReadOnly = true;
        continue;
      }
      if (key === 'volume-nocopy') {
        volume.NoCopy = true;
        usedVolume = true;
        continue;
      }
      if (key === 'bind-nonrecursive') {
        bind.NonRecursive = true;
        usedBind = true;
        continue;
      }
      throw new MountSpecError(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type': {
        const t = TYPES.find((x) => x === val.toLowerCase());
        if (t === undefined) throw new MountSpecError(`invalid mount type: ${val}`);
        type = t;
        break;
      }
      case 'source':
      case 'src':
        m.Source = val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.Target = val;
        break;
      case 'readonly':
      case 'ro':
        m.ReadOnly = parseBool(key, val);
        break;
      case 'consistency':
        m.Consistency = val;
        break;
      case 'bind-propagation':
        bind.Propagation = val.toLowerCase();
        usedBind = true;
        break;
      case 'bind-nonrecursive':
        bind.NonRecursive = parseBool(key, val);
        usedBind = true;
        break;
      case 'volume-nocopy':
        volume.NoCopy = parseBool(key, val);
        usedVolume = true;
        break;
      case 'volume-label': {
        const [k, ...rest] = val.split('=');
        volume.Labels = { ...(volume.Labels ?? {}), [k ?? '']: rest.join('=') };
        usedVolume = true;
        break;
      }
      case 'volume-driver':
        volume.DriverConfig = { ...(volume.DriverConfig ?? {}), Name: val };
        usedVolume = true;
        break;
      case 'volume-opt': {
        const [k, ...rest] = val.split('=');
        const opts = { ...(volume.DriverConfig?.Options ?? {}), [k ?? '']: rest.join('=') };
        volume.DriverConfig = { ...(volume.DriverConfig ?? {}), Options: opts };
        usedVolume = true;
        break;
      }
      case 'tmpfs-size':
        try {
          tmpfs.SizeBytes = ramInBytes(val);
        } catch {
          throw new MountSpecError(`invalid value for ${key}: ${val}`);
        }
        usedTmpfs = true;
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val)) throw new MountSpecError(`invalid value for ${key}: ${val}`);
        tmpfs.Mode = parseInt(val, 8);
        usedTmpfs = true;
        break;
      default:
        throw new MountSpecError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (m.Target === undefined || m.Target === '') throw new MountSpecError('target is required');
  if (usedVolume && type !== 'volume') {
    throw new MountSpecError(`cannot mix 'volume-*' options with mount type '${type}'`);
  }
  if (usedBind && type !== 'bind') {
    throw new MountSpecError(`cannot mix 'bind-*' options with mount type '${type}'`);
  }
  if (usedTmpfs && type !== 'tmpfs') {
    throw new MountSpecError(`cannot mix 'tmpfs-*' options with mount type '${type}'`);
  }
  return {
    Type: type,
    ...(m.Source !== undefined ? { Source: m.Source } : {}),
    Target: m.Target,
    ...(m.ReadOnly === true ? { ReadOnly: true } : {}),
    ...(m.Consistency !== undefined ? { Consistency: m.Consistency } : {}),
    ...(usedBind ? { BindOptions: bind } : {}),
    ...(usedVolume ? { VolumeOptions: volume } : {}),
    ...(usedTmpfs ? { TmpfsOptions: tmpfs } : {}),
  };
}
