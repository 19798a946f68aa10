// The JSON of Docker's /secrets and /configs endpoints as the CLI sends and reads it: the same
// TypeBox schemas the server validates with (api/docker/secret.ts, config.ts).
export type { DockerDriver } from '../../api/docker/service-spec.js';
export type { DockerSecretSpec, DockerSecret, DockerSecretCreateResponse } from '../../api/docker/secret.js';
export type { DockerConfigSpec, DockerConfig } from '../../api/docker/config.js';
