// Builds Secret and Config objects and task references to them (as the dispatcher sends them).

import type { Config, ConfigReference, Secret, SecretReference } from '../../../api/objects/index.js';
import { newId } from './task-fixture.js';

const meta = (): Secret['meta'] => {
  const now = new Date().toISOString();
  return { version: 1, createdAt: now, updatedAt: now };
};

export function makeSecret(name: string, value: string | Buffer): Secret {
  const data = (typeof value === 'string' ? Buffer.from(value) : value).toString('base64');
  return { id: newId(), meta: meta(), spec: { name, labels: {}, data }, internal: false };
}

export function makeConfig(name: string, value: string | Buffer): Config {
  const data = (typeof value === 'string' ? Buffer.from(value) : value).toString('base64');
  return { id: newId(), meta: meta(), spec: { name, labels: {}, data } };
}

export interface FileOverrides {
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

export function secretRef(secret: Secret, o: FileOverrides = {}): SecretReference {
  return {
    secretId: secret.id,
    secretName: secret.spec.name,
    file: { name: o.target ?? secret.spec.name, uid: o.uid ?? '0', gid: o.gid ?? '0', mode: o.mode ?? 0o444 },
  };
}

export function configRef(config: Config, o: FileOverrides = {}): ConfigReference {
  return {
    configId: config.id,
    configName: config.spec.name,
    file: { name: o.target ?? config.spec.name, uid: o.uid ?? '0', gid: o.gid ?? '0', mode: o.mode ?? 0o444 },
  };
}
