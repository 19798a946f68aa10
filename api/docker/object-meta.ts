// What every stored swarm object carries in Docker's JSON (swarm.Meta): its version, which an
// update must quote back, and its creation and last-update times (RFC 3339 strings).

import { Type, type Static } from '@sinclair/typebox';

export const ObjectVersionSchema = Type.Object({ Index: Type.Integer({ minimum: 0 }) });

/** swarm.Meta's fields, spread into each object's schema (Docker embeds the struct). */
export const MetaFields = {
  Version: ObjectVersionSchema,
  CreatedAt: Type.String(),
  UpdatedAt: Type.String(),
};

export const MetaSchema = Type.Object(MetaFields);

export type DockerObjectVersion = Static<typeof ObjectVersionSchema>;
export type DockerMeta = Static<typeof MetaSchema>;
