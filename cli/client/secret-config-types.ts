// The JSON of Docker's /secrets and /configs endpoints as the CLI sends and reads it.
// Temporary home: api/docker has no secret/config schemas on this branch yet; once
// api/docker/secret.ts and api/docker/config.ts exist these become `Static<>` re-exports.
import type { DockerDriver } from '../../api/docker/service-spec.js';
import type { DockerObjectVersion } from '../../api/docker/object-meta.js';

export type { DockerDriver };

/** swarm.SecretSpec: Data is base64 (Go's []byte); a secret's Data never comes back. */
export interface DockerSecretSpec {
  Name?: string;
  Labels?: Record<string, string>;
  Data?: string;
  Driver?: DockerDriver;
  Templating?: DockerDriver;
}

/** swarm.ConfigSpec: as a secret's, and inspect returns Data. */
export interface DockerConfigSpec {
  Name?: string;
  Labels?: Record<string, string>;
  Data?: string;
  Templating?: DockerDriver;
}

interface SwarmObject<S> {
  ID: string;
  Version: DockerObjectVersion;
  CreatedAt: string;
  UpdatedAt: string;
  Spec: S;
}

export type DockerSecret = SwarmObject<DockerSecretSpec>;
export type DockerConfig = SwarmObject<DockerConfigSpec>;

/** POST /secrets/create and /configs/create answer {"ID": …} (201). */
export interface DockerSecretCreateResponse {
  ID: string;
}
