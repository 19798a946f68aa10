// Configs: swarmkit's CreateConfig, UpdateConfig and RemoveConfig (blob-object-rules.ts holds
// what configs share with secrets; a config's data may be twice a secret's).

import type { Config, ConfigSpec, ReadTx } from '../store/index.js';
import { blobNotFound, checkBlobCreate, checkLabelsOnlyUpdate, checkNotInUse } from './blob-object-rules.js';
import { decide, type Decision } from './decision.js';
import { notFound } from './refusal.js';

export interface CreateConfigRequest {
  readonly id: string;
  readonly spec: ConfigSpec;
}

export function createConfig(tx: ReadTx, req: CreateConfigRequest): Decision {
  return decide(() => {
    checkBlobCreate(tx, 'configs', req.spec);
    return [{ op: 'create', table: 'configs', object: { id: req.id, spec: req.spec } }];
  });
}

export interface UpdateConfigRequest {
  readonly configId: string;
  /** The client's ?version= (the store refuses a stale one). */
  readonly version: number;
  readonly spec: ConfigSpec;
}

/** Only the labels change; the name and the data must be those the config has. */
export function updateConfig(tx: ReadTx, req: UpdateConfigRequest): Decision {
  return decide(() => {
    const current = tx.get('configs', req.configId);
    if (current === undefined) throw notFound(`config ${req.configId} not found`);
    checkLabelsOnlyUpdate(current.spec, req.spec);
    const next: Config = {
      ...current,
      meta: { ...current.meta, version: req.version },
      spec: { ...current.spec, labels: { ...req.spec.labels } },
    };
    return [{ op: 'update', table: 'configs', object: next }];
  });
}

/** Refused while a service refers to the config. */
export function removeConfig(tx: ReadTx, configId: string): Decision {
  return decide(() => {
    const current = tx.get('configs', configId);
    if (current === undefined) throw blobNotFound('configs', configId);
    checkNotInUse(tx, 'configs', current.id, current.spec.name);
    return [{ op: 'delete', table: 'configs', id: current.id }];
  });
}
