// What flows between a node's agent and the managers' dispatcher: the tasks assigned to the
// node (full set, then incremental changes) and the status the node observes for them.
// The dispatcher (manager/dispatcher) produces AssignmentChange; the agent's session
// (agent/session) hands it to the worker (agent/worker), which reports TaskStatusReport back.

import type { Config, NodeDescription, Secret, Task, TaskStatus } from '../objects/index.js';
import type { NodeNetworkView } from '../network/network-view.js';

export interface AssignmentChange {
  /** true: `updated` is the node's complete set (anything not in it is no longer assigned). */
  readonly full: boolean;
  /** Tasks to run or whose desired state changed (store objects, as the dispatcher sees them). */
  readonly updated: readonly Task[];
  /** Task IDs no longer assigned to the node (the worker shuts them down and removes them). */
  readonly removed: readonly string[];
  /** Secrets and configs the assigned tasks reference (only those). */
  readonly secrets: readonly Secret[];
  readonly configs: readonly Config[];
  /** What the node must program for its overlay networks, when it changed (absent: unchanged). */
  readonly networks?: NodeNetworkView;
}

export interface TaskStatusReport {
  readonly taskId: string;
  readonly status: TaskStatus;
}

/** What an agent tells the managers about its node when its session starts. */
export interface NodeReport {
  readonly nodeId: string;
  readonly description: NodeDescription;
}
