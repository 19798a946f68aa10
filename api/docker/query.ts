// Query strings of the routes. Docker reads every query parameter as a string and parses it in
// the handler (with its own messages for bad values), so the schemas check shape only.

import { Type } from '@sinclair/typebox';

const Q = Type.Optional(Type.String());

export const FiltersQuery = Type.Object({ filters: Q });
export const ServiceListQuery = Type.Object({ filters: Q, status: Q });
export const InsertDefaultsQuery = Type.Object({ insertDefaults: Q });
export const VersionQuery = Type.Object({ version: Q });
export const ServiceUpdateQuery = Type.Object({ version: Q, registryAuthFrom: Q, rollback: Q });
export const SwarmUpdateQuery = Type.Object({
  version: Q,
  rotateWorkerToken: Q,
  rotateManagerToken: Q,
  rotateManagerUnlockKey: Q,
});
export const ForceQuery = Type.Object({ force: Q });
export const LogsQuery = Type.Object({
  details: Q,
  follow: Q,
  stdout: Q,
  stderr: Q,
  since: Q,
  timestamps: Q,
  tail: Q,
});
export const EventsQuery = Type.Object({ since: Q, until: Q, filters: Q });
export const IdParams = Type.Object({ id: Type.String({ minLength: 1 }) });
