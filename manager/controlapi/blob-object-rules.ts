// Secrets and configs: named blobs of data that services mount into their tasks. swarmkit
// holds the same rules for both (its controlapi secret.go and config.go) and words them alike,
// naming the kind: a name of at most 64 [a-zA-Z0-9-_.] characters, data that is not empty and
// shorter than the kind's limit, names unique, data immutable (an update may change only the
// labels), and no removal while a service refers to the object. Pure: (readTx, request) →
// writes or a refusal. secret-rules.ts and config-rules.ts give each kind its entry points.

import { timingSafeEqual } from 'node:crypto';
import type { Driver, Labels, ReadTx, Service } from '../store/index.js';
import { checkMap, checkString } from './field-checks.js';
import {
  LABEL_LIMITS,
  MAX_CONFIG_DATA_BYTES,
  MAX_SECRET_DATA_BYTES,
  MAX_SECRET_NAME_LENGTH,
  MAX_SHORT_STRING_BYTES,
  OPTION_LIMITS,
} from './limits.js';
import { grpcWording, invalidArgument, alreadyExists, Refusal } from './refusal.js';

export type BlobTable = 'secrets' | 'configs';

/** The part of a secret's or a config's spec these rules read. */
export interface BlobSpec {
  readonly name: string;
  readonly labels: Labels;
  /** Base64 of the data (standard alphabet, padded), as the store keeps it. */
  readonly data: string;
  readonly templating?: Driver;
}

interface BlobKind {
  /** How swarmkit names the kind in its messages. */
  readonly word: 'secret' | 'config';
  readonly maxDataBytes: number;
}

export const BLOB_KINDS: Readonly<Record<BlobTable, BlobKind>> = {
  secrets: { word: 'secret', maxDataBytes: MAX_SECRET_DATA_BYTES },
  configs: { word: 'config', maxDataBytes: MAX_CONFIG_DATA_BYTES },
};

/**
 * swarmkit's isValidConfigOrSecretName, ^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$, written
 * without a quantified group that can backtrack (the same names match; the length is checked
 * first in any case).
 */
const BLOB_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?$/;

/** swarmkit's validateConfigOrSecretAnnotations. */
export function validateBlobName(name: string): void {
  if (name === '') throw invalidArgument('name must be provided');
  if (name.length > MAX_SECRET_NAME_LENGTH || !BLOB_NAME.test(name)) {
    throw invalidArgument(
      'invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]',
    );
  }
}

/** The number of bytes a base64 string decodes to. */
export function base64DataBytes(data: string): number {
  return Buffer.byteLength(data, 'base64');
}

/** swarmkit's size rule: not empty, and shorter than the kind's limit. */
export function checkBlobData(table: BlobTable, data: string): void {
  const { word, maxDataBytes } = BLOB_KINDS[table];
  const bytes = base64DataBytes(data);
  if (bytes < 1 || bytes >= maxDataBytes) {
    throw invalidArgument(`${word} data must be larger than 0 and less than ${maxDataBytes} bytes`);
  }
}

function checkDriverLimits(where: string, driver: Driver | undefined): void {
  if (driver === undefined) return;
  checkString(`${where}: Name`, driver.name, MAX_SHORT_STRING_BYTES);
  checkMap(`${where}: Options`, driver.options, OPTION_LIMITS);
}

/** shoal's bounds on the fields swarmkit leaves unbounded (labels, driver names and options). */
export function checkBlobSpecLimits(spec: BlobSpec & { readonly driver?: Driver }): void {
  checkMap('Labels', spec.labels, LABEL_LIMITS);
  checkDriverLimits('Templating', spec.templating);
  checkDriverLimits('Driver', spec.driver);
}

/** A spec's own checks and its name's uniqueness, in swarmkit's order. */
export function checkBlobCreate(tx: ReadTx, table: BlobTable, spec: BlobSpec): void {
  checkBlobSpecLimits(spec);
  validateBlobName(spec.name);
  checkBlobData(table, spec.data);
  checkNameFree(tx, table, spec.name);
}

/** swarmkit's answer to a name the store already holds (its ErrNameConflict). */
export function checkNameFree(tx: ReadTx, table: BlobTable, name: string): void {
  if (tx.getByName(table, name) !== undefined) {
    throw alreadyExists(`${BLOB_KINDS[table].word} ${name} already exists`);
  }
}

/**
 * Data is immutable: an update naming other data (or another name) is refused. Equal data
 * is compared in constant time, as swarmkit compares a secret's.
 */
export function checkLabelsOnlyUpdate(current: BlobSpec, next: BlobSpec): void {
  if (next.name !== current.name || (next.data !== '' && !sameData(next.data, current.data))) {
    throw invalidArgument('only updates to Labels are allowed');
  }
  checkMap('Labels', next.labels, LABEL_LIMITS);
}

function sameData(a: string, b: string): boolean {
  const x = Buffer.from(a, 'base64');
  const y = Buffer.from(b, 'base64');
  return x.length === y.length && timingSafeEqual(x, y);
}

function references(service: Service, table: BlobTable, id: string): boolean {
  const c = service.spec.taskTemplate.containerSpec;
  return table === 'secrets'
    ? c.secrets.some((r) => r.secretId === id)
    : c.configs.some((r) => r.configId === id);
}

/** Services whose spec refers to the object, by ID (as swarmkit's index lists them). */
export function servicesUsing(tx: ReadTx, table: BlobTable, id: string): Service[] {
  return tx
    .list('services')
    .filter((s) => references(s, table, id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** swarmkit's refusal to remove an object a service still refers to. */
export function checkNotInUse(tx: ReadTx, table: BlobTable, id: string, name: string): void {
  const users = servicesUsing(tx, table, id);
  if (users.length === 0) return;
  const word = users.length === 1 ? 'service' : 'services';
  throw invalidArgument(
    `${BLOB_KINDS[table].word} '${name}' is in use by the following ${word}: ${users.map((s) => s.spec.name).join(', ')}`,
  );
}

/** swarmkit's answer to removing an object that is gone. */
export function blobNotFound(table: BlobTable, id: string): Refusal {
  return new Refusal('not-found', grpcWording('NotFound', `could not find ${BLOB_KINDS[table].word} ${id}`));
}
