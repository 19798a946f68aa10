// What every node of the idle-RSS bench runs besides its API: an agent session to the managers
// with a null executor (the real session code: mutual TLS, heartbeats, assignments), as a
// node's agent keeps one.

import type { Logger } from 'pino';
import { AgentSession, type SessionInfo } from '../../agent/session/index.js';
import type { TaskState } from '../../api/objects/index.js';
import type { NodeCredentials } from '../../ca/ca-client.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../../ca/tls-credentials.js';
import { nullTaskReports } from './null-tasks.js';

export function startNullSession(
  managers: readonly string[],
  creds: NodeCredentials,
  hostname: string,
  logger: Logger,
  onSession?: (info: SessionInfo | undefined) => void,
): AgentSession {
  const reported = new Map<string, TaskState>();
  const session: AgentSession = new AgentSession({
    managers,
    credentials: nodeChannelCredentials(creds),
    channelOptions: NODE_CHANNEL_OPTIONS,
    nodeDescription: {
      hostname,
      platform: { architecture: 'x86_64', os: 'linux' },
      resources: { nanoCPUs: 2e9, memoryBytes: 4 * 2 ** 30, generic: [] },
      engine: { engineVersion: '28.3.0', labels: {}, plugins: [] },
    },
    onAssignments: (change) => {
      const reports = nullTaskReports(change, reported);
      if (reports.length > 0) session.reportStatus(reports);
    },
    logger,
    ...(onSession !== undefined ? { onSession } : {}),
  });
  session.start();
  return session;
}
