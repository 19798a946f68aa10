// Secrets: sensitive blobs that reach only nodes running a task that references them.

import type { Driver, Labels, StoredObjectBase } from './common.js';

export interface SecretSpec {
  name: string;
  labels: Labels;
  /** Base64 of the secret's bytes (empty when an external driver holds the value). */
  data: string;
  driver?: Driver;
  templating?: Driver;
}

export interface Secret extends StoredObjectBase {
  spec: SecretSpec;
  /** Created by the system itself (e.g. for the ingress network), hidden from `secret ls`. */
  internal: boolean;
}
