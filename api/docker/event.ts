// Docker's event message (GET /events streams one JSON object per change): what changed
// (Type, Action), the object (Actor) with its attributes, and when, for swarm-scoped events.

import { Type, type Static } from '@sinclair/typebox';

export const EventSchema = Type.Object({
  Type: Type.String(),
  Action: Type.String(),
  Actor: Type.Object({ ID: Type.String(), Attributes: Type.Record(Type.String(), Type.String()) }),
  scope: Type.Literal('swarm'),
  /** Seconds since the epoch. */
  time: Type.Integer(),
  /** Nanoseconds since the epoch. */
  timeNano: Type.Number(),
});

export type DockerEvent = Static<typeof EventSchema>;
