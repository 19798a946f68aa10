// Docker's answer to GET /version: the engine's version, the API versions it speaks, and its
// components.

import { Type, type Static } from '@sinclair/typebox';
import { Opt } from './common.js';

export const VersionComponentSchema = Type.Object({
  Name: Type.String(),
  Version: Type.String(),
  Details: Opt(Type.Record(Type.String(), Type.String())),
});

export const SystemVersionSchema = Type.Object({
  Platform: Opt(Type.Object({ Name: Type.String() })),
  Components: Opt(Type.Array(VersionComponentSchema)),
  Version: Type.String(),
  ApiVersion: Type.String(),
  MinAPIVersion: Opt(Type.String()),
  GitCommit: Opt(Type.String()),
  GoVersion: Opt(Type.String()),
  Os: Type.String(),
  Arch: Type.String(),
  KernelVersion: Opt(Type.String()),
  Experimental: Opt(Type.Boolean()),
  BuildTime: Opt(Type.String()),
});

export type DockerVersionComponent = Static<typeof VersionComponentSchema>;
export type DockerSystemVersion = Static<typeof SystemVersionSchema>;
