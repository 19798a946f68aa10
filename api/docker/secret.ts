// Docker's Secret (POST /secrets/create, POST /secrets/{id}/update, GET /secrets,
// GET /secrets/{id}) as TypeBox schemas. Data is the secret's bytes in standard base64, as Go
// encodes a []byte; an answer never carries it (swarmkit never returns a secret's data).

import { Type, type Static } from '@sinclair/typebox';
import { DriverSchema, Opt, Str, StringMap, Struct } from './common.js';
import { MetaFields } from './object-meta.js';

export const SecretSpecSchema = Struct('swarm.SecretSpec', {
  Name: Str,
  Labels: StringMap,
  Data: Str,
  Driver: DriverSchema,
  Templating: DriverSchema,
});

const DriverOut = Type.Object({ Name: Type.String(), Options: Opt(StringMap) });

export const SecretSchema = Type.Object({
  ID: Type.String(),
  ...MetaFields,
  Spec: Type.Object({
    Name: Type.String(),
    Labels: StringMap,
    Driver: Opt(DriverOut),
    Templating: Opt(DriverOut),
  }),
});

/** The answer of POST /secrets/create (types.SecretCreateResponse). */
export const SecretCreateResponseSchema = Type.Object({ ID: Type.String() });

export type DockerSecretSpec = Static<typeof SecretSpecSchema>;
export type DockerSecret = Static<typeof SecretSchema>;
export type DockerSecretCreateResponse = Static<typeof SecretCreateResponseSchema>;
