// Secrets: swarmkit's CreateSecret, UpdateSecret and RemoveSecret (blob-object-rules.ts holds
// what secrets share with configs). A secret may name an external driver in Docker; shoal has
// no secret-driver plugins, so such a spec is refused as swarmkit refuses a driver it cannot
// find, rather than stored without data.

import type { Driver, ReadTx, Secret, SecretSpec } from '../store/index.js';
import {
  blobNotFound,
  checkBlobData,
  checkBlobSpecLimits,
  checkLabelsOnlyUpdate,
  checkNameFree,
  checkNotInUse,
  validateBlobName,
} from './blob-object-rules.js';
import { decide, type Decision } from './decision.js';
import { invalidArgument, notFound } from './refusal.js';

export interface CreateSecretRequest {
  readonly id: string;
  readonly spec: SecretSpec;
}

/** swarmkit's validateDriver, for a manager that has no plugins to look the driver up in. */
function checkSecretDriver(driver: Driver): void {
  if (driver.name === '') throw invalidArgument('driver name: if driver is specified name is required');
  throw invalidArgument(
    `plugin ${driver.name} not supported: shoal has no secret driver plugins; give the secret's Data instead`,
  );
}

/** swarmkit's validateSecretSpec and its name-conflict answer. */
export function checkSecretCreate(tx: ReadTx, spec: SecretSpec): void {
  checkBlobSpecLimits(spec);
  validateBlobName(spec.name);
  if (spec.driver !== undefined) checkSecretDriver(spec.driver);
  checkBlobData('secrets', spec.data);
  checkNameFree(tx, 'secrets', spec.name);
}

export function createSecret(tx: ReadTx, req: CreateSecretRequest): Decision {
  return decide(() => {
    checkSecretCreate(tx, req.spec);
    return [{ op: 'create', table: 'secrets', object: { id: req.id, spec: req.spec, internal: false } }];
  });
}

export interface UpdateSecretRequest {
  readonly secretId: string;
  /** The client's ?version= (the store refuses a stale one). */
  readonly version: number;
  readonly spec: SecretSpec;
}

/** Only the labels change; the name and the data must be those the secret has. */
export function updateSecret(tx: ReadTx, req: UpdateSecretRequest): Decision {
  return decide(() => {
    const current = tx.get('secrets', req.secretId);
    if (current === undefined) throw notFound(`secret ${req.secretId} not found`);
    checkLabelsOnlyUpdate(current.spec, req.spec);
    const next: Secret = {
      ...current,
      meta: { ...current.meta, version: req.version },
      spec: { ...current.spec, labels: { ...req.spec.labels } },
    };
    return [{ op: 'update', table: 'secrets', object: next }];
  });
}

/** Refused while a service refers to the secret. */
export function removeSecret(tx: ReadTx, secretId: string): Decision {
  return decide(() => {
    const current = tx.get('secrets', secretId);
    if (current === undefined) throw blobNotFound('secrets', secretId);
    checkNotInUse(tx, 'secrets', current.id, current.spec.name);
    return [{ op: 'delete', table: 'secrets', id: current.id }];
  });
}
