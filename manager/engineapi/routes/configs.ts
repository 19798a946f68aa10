// /configs (routes/blob-routes.ts): inspect and ls carry a config's data. Writes are decided by
// controlapi/config-rules.ts.

import type { FastifyInstance } from 'fastify';
import { createConfig, removeConfig, updateConfig } from '../../controlapi/index.js';
import { ConfigSpecSchema } from '../../../api/docker/config.js';
import type { RouteContext } from '../context.js';
import { resolveConfig } from '../resolve.js';
import { configFromStore, configSpecToStore } from '../translate/config.js';
import { registerBlobRoutes } from './blob-routes.js';

export function registerConfigRoutes(app: FastifyInstance, ctx: RouteContext): void {
  registerBlobRoutes(app, ctx, {
    kind: 'config',
    bodySchema: ConfigSpecSchema,
    listed: (tx) => tx.list('configs'),
    resolve: resolveConfig,
    specToStore: configSpecToStore,
    fromStore: configFromStore,
    create: (tx, id, spec) => createConfig(tx, { id, spec }),
    update: (tx, configId, version, spec) => updateConfig(tx, { configId, version, spec }),
    remove: removeConfig,
  });
}
