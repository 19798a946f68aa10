// A real agent without an engine: the agent's session (the dispatcher protocol over gRPC with
// mutual TLS) and its worker on the null executor, so tasks go through the same states as on
// a real node (accepted, preparing, starting, running) with nothing to run.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { NullExecutor } from '../../agent/exec/null/null-executor.js';
import { AgentSession } from '../../agent/session/index.js';
import { Worker } from '../../agent/worker/worker.js';
import type { NodeCredentials } from '../../ca/ca-client.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../../ca/tls-credentials.js';

export interface NullAgent {
  readonly session: AgentSession;
  readonly worker: Worker;
  close(): Promise<void>;
}

/** Starts an agent for the node `credentials` name, reporting `hostname`, at `manager`. */
export async function startNullAgent(
  manager: string,
  credentials: NodeCredentials,
  hostname: string,
  logger: Logger,
): Promise<NullAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-null-agent-'));
  const executor = new NullExecutor();
  const description = { ...(await executor.describe()), hostname };
  const worker = await Worker.open({ executor, dataDir: dir, logger });
  const session = new AgentSession({
    managers: [manager],
    credentials: nodeChannelCredentials(credentials),
    channelOptions: NODE_CHANNEL_OPTIONS,
    nodeDescription: description,
    onAssignments: (change) => worker.apply(change),
    logger,
    backoff: { initialMs: 50, maxMs: 500 },
  });
  worker.onStatus((reports) => session.reportStatus(reports));
  session.start();
  return {
    session,
    worker,
    close: async () => {
      await session.stop();
      await worker.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
