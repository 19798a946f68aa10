// Public API of the agent's session with the managers.

export { AgentSession, type AgentSessionOptions } from './agent-session.js';
export type { SessionInfo } from './connection.js';
export { RemovedFromSwarmError, SessionFailedError } from './errors.js';
export type { LogRecordOut, LogRequest, LogSource } from './log-publisher.js';
export { NetworkAttachmentError } from './errors.js';
export type { AttachedNetwork, AttachNetworkCall } from './network-attachment-calls.js';
