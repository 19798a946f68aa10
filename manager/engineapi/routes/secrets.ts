// /secrets (routes/blob-routes.ts): no answer ever carries a secret's data, and system
// (internal) secrets are not listed. Writes are decided by controlapi/secret-rules.ts.

import type { FastifyInstance } from 'fastify';
import { createSecret, removeSecret, updateSecret } from '../../controlapi/index.js';
import { SecretSpecSchema } from '../../../api/docker/secret.js';
import type { RouteContext } from '../context.js';
import { resolveSecret } from '../resolve.js';
import { secretFromStore, secretSpecToStore } from '../translate/secret.js';
import { registerBlobRoutes } from './blob-routes.js';

export function registerSecretRoutes(app: FastifyInstance, ctx: RouteContext): void {
  registerBlobRoutes(app, ctx, {
    kind: 'secret',
    bodySchema: SecretSpecSchema,
    listed: (tx) => tx.list('secrets').filter((s) => !s.internal),
    resolve: resolveSecret,
    specToStore: secretSpecToStore,
    fromStore: secretFromStore,
    create: (tx, id, spec) => createSecret(tx, { id, spec }),
    update: (tx, secretId, version, spec) => updateSecret(tx, { secretId, version, spec }),
    remove: removeSecret,
  });
}
