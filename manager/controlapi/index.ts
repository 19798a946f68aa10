// The control layer: what a request may change, decided from the store's state. Every write
// the HTTP API makes to the store goes through one of these pure functions — (readTx,
// request) → writes or a refusal — which hold the limits (limits.ts), Docker's and swarmkit's
// validation with their wording, and the rules between objects. Routes only translate.

export { applyDecision, decide, writesOf, type Decision, type Write } from './decision.js';
export { Refusal } from './refusal.js';
export * from './limits.js';
export { validateName, MAX_NAME_LENGTH } from './object-name.js';
export { isValidImageReference } from './image-reference.js';
export { checkServiceSpecLimits } from './service-limits.js';
export {
  checkConstraint,
  checkPortConflicts,
  checkReferences,
  checkServiceNetworks,
  checkServiceSpec,
  checkUpdateQuery,
  createService,
  removeService,
  updateService,
  type CreateServiceRequest,
  type UpdateServiceRequest,
} from './service-rules.js';
export { checkNodeSpec, updateNode, type UpdateNodeRequest } from './node-rules.js';
export {
  checkNetworkCreate,
  checkNetworkRemove,
  checkNetworkSpecLimits,
  createNetwork,
  pruneNetworks,
  removeNetwork,
  PREDEFINED_LABEL,
  PREDEFINED_NETWORKS,
  type CreateNetworkRequest,
} from './network-rules.js';
export {
  checkClusterSpec,
  checkInitRequest,
  checkJoinRequest,
  updateSwarm,
  type UpdateSwarmRequest,
} from './swarm-rules.js';
