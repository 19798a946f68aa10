// Configs: non-sensitive files mounted into tasks (Docker's `docker config`).

import type { Driver, Labels, StoredObjectBase } from './common.js';

export interface ConfigSpec {
  name: string;
  labels: Labels;
  /** Base64 of the config file's bytes. */
  data: string;
  templating?: Driver;
}

export interface Config extends StoredObjectBase {
  spec: ConfigSpec;
}
