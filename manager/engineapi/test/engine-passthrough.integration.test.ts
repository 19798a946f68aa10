// The engine passthrough with fastify listening on the socket itself (engine-passthrough-suite.ts).

import { createApiServer, listenApiServer } from '../server.js';
import { enginePassthroughSuite } from './engine-passthrough-suite.js';

enginePassthroughSuite('engine passthrough', async (options, socketPath) => {
  const app = createApiServer(options);
  await listenApiServer(app, { socketPath });
  return () => app.close();
});
