// Docker's NodeSpec (POST /nodes/{id}/update).

import type { Static } from '@sinclair/typebox';
import { Str, StringMap, Struct } from './common.js';

export const NodeSpecSchema = Struct('swarm.NodeSpec', {
  Name: Str,
  Labels: StringMap,
  Role: Str,
  Availability: Str,
});

export type DockerNodeSpec = Static<typeof NodeSpecSchema>;
