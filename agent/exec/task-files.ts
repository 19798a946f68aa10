// The files a task's secrets and configs become inside its container (pure: no I/O). As in
// Docker: a secret lands at /run/secrets/<target> (an absolute target is used as is), a config
// at /<target> (or its absolute target); the target defaults to the object's name, an empty
// uid/gid to root. The mode is taken as given (the API defaults it to 0444, as Docker does).
// A referenced object the node was not given fails the task with a message naming it.

import type { FileTarget, Task } from '../../api/objects/index.js';
import { DependencyMissingError, InvalidTaskSpecError } from './errors.js';
import type { TaskDependencies } from './executor.js';

export const SECRETS_DIR = '/run/secrets';

export interface TaskFile {
  readonly kind: 'secret' | 'config';
  /** Unique among the task's files (a name for the file on the host). */
  readonly key: string;
  /** Absolute path inside the container. */
  readonly target: string;
  readonly data: Buffer;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/** Every secret and config file of the task, in spec order; throws if one is not available. */
export function taskFiles(task: Task, dependencies: TaskDependencies | undefined): TaskFile[] {
  const c = task.spec.containerSpec;
  const files: TaskFile[] = [];
  c.secrets.forEach((ref, i) => {
    const secret = dependencies?.secret(ref.secretId);
    if (secret === undefined) throw new DependencyMissingError('secret', ref.secretName, ref.secretId);
    const field = `containerSpec.secrets[${i}]`;
    const target = targetPath(ref.file, ref.secretName, SECRETS_DIR, field);
    files.push(fileOf('secret', `secret-${i}`, target, secret.spec.data, ref.file, field));
  });
  c.configs.forEach((ref, i) => {
    const config = dependencies?.config(ref.configId);
    if (config === undefined) throw new DependencyMissingError('config', ref.configName, ref.configId);
    const field = `containerSpec.configs[${i}]`;
    const target = targetPath(ref.file, ref.configName, '/', field);
    files.push(fileOf('config', `config-${i}`, target, config.spec.data, ref.file, field));
  });
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.target))
      throw new InvalidTaskSpecError(`containerSpec.${f.kind}s`, `two files target ${f.target}`);
    seen.add(f.target);
  }
  return files;
}

function targetPath(file: FileTarget, objectName: string, base: string, field: string): string {
  const name = file.name === '' ? objectName : file.name;
  if (name.startsWith('/')) return normalized(name, field);
  return normalized(base === '/' ? `/${name}` : `${base}/${name}`, field);
}

/** Refuses targets that climb out of their directory or name no file. */
function normalized(path: string, field: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..'))
    throw new InvalidTaskSpecError(`${field}.file.name`, `"${path}" is not a file path`);
  return `/${parts.join('/')}`;
}

function fileOf(
  kind: 'secret' | 'config',
  key: string,
  target: string,
  base64: string,
  file: FileTarget,
  field: string,
): TaskFile {
  return {
    kind,
    key,
    target,
    data: Buffer.from(base64, 'base64'),
    uid: numericId(file.uid, `${field}.file.uid`),
    gid: numericId(file.gid, `${field}.file.gid`),
    mode: file.mode & 0o7777,
  };
}

function numericId(value: string, field: string): number {
  if (value === '') return 0;
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff)
    throw new InvalidTaskSpecError(field, `"${value}" is not a numeric user or group ID`);
  return Number(value);
}
