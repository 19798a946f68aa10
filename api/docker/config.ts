// Docker's Config (POST /configs/create, POST /configs/{id}/update, GET /configs,
// GET /configs/{id}) as TypeBox schemas. Data is the config's bytes in standard base64, as Go
// encodes a []byte; unlike a secret's, an answer carries it.

import { Type, type Static } from '@sinclair/typebox';
import { DriverSchema, Opt, Str, StringMap, Struct } from './common.js';
import { MetaFields } from './object-meta.js';

export const ConfigSpecSchema = Struct('swarm.ConfigSpec', {
  Name: Str,
  Labels: StringMap,
  Data: Str,
  Templating: DriverSchema,
});

export const ConfigSchema = Type.Object({
  ID: Type.String(),
  ...MetaFields,
  Spec: Type.Object({
    Name: Type.String(),
    Labels: StringMap,
    Data: Opt(Type.String()),
    Templating: Opt(Type.Object({ Name: Type.String(), Options: Opt(StringMap) })),
  }),
});

/** The answer of POST /configs/create (types.ConfigCreateResponse). */
export const ConfigCreateResponseSchema = Type.Object({ ID: Type.String() });

export type DockerConfigSpec = Static<typeof ConfigSpecSchema>;
export type DockerConfig = Static<typeof ConfigSchema>;
export type DockerConfigCreateResponse = Static<typeof ConfigCreateResponseSchema>;
