// The control layer: what a request may change, decided from the store's state. Every write
// the HTTP API makes to the store goes through one of these pure functions — (readTx,
// request) → writes or a refusal — which hold the limits (limits.ts), Docker's and swarmkit's
// validation with their wording, and the rules between objects; and every refusal is one
// Refusal (refusal.ts) whose kind fixes Docker's status and whose message is what Docker's
// users read. Routes only translate.

export { applyDecision, decide, writesOf, type Decision, type Write } from './decision.js';
export {
  alreadyExists,
  badRequest,
  conflict,
  failedPrecondition,
  grpcWording,
  invalidArgument,
  notFound,
  permissionDenied,
  Refusal,
  unavailable,
  unimplemented,
  type RefusalKind,
} from './refusal.js';
export { storeRefusal } from './store-refusals.js';
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
  type NetworkResolver,
  type UpdateServiceRequest,
} from './service-rules.js';
export {
  base64DataBytes,
  BLOB_KINDS,
  servicesUsing,
  validateBlobName,
  type BlobSpec,
  type BlobTable,
} from './blob-object-rules.js';
export {
  checkSecretCreate,
  createSecret,
  removeSecret,
  updateSecret,
  type CreateSecretRequest,
  type UpdateSecretRequest,
} from './secret-rules.js';
export {
  createConfig,
  removeConfig,
  updateConfig,
  type CreateConfigRequest,
  type UpdateConfigRequest,
} from './config-rules.js';
export { checkReferenceTargets } from './reference-targets.js';
export {
  checkNodeSpec,
  removeNode,
  updateNode,
  type RemoveNodeRequest,
  type UpdateNodeRequest,
} from './node-rules.js';
export {
  checkNetworkCreate,
  checkNetworkRemove,
  checkNetworkSpecLimits,
  checkPruneRequest,
  createNetwork,
  pruneNetworks,
  removeNetwork,
  PREDEFINED_LABEL,
  PREDEFINED_NETWORKS,
  type CreateNetworkRequest,
  type PruneNetworksRequest,
} from './network-rules.js';
export {
  attachNetwork,
  detachNetwork,
  type AttachNetworkRequest,
  type DetachNetworkRequest,
} from './network-attachment-rules.js';
export { checkClusterSpec, currentCluster, updateSwarm, type UpdateSwarmRequest } from './swarm-rules.js';
export {
  checkGivenRoot,
  planRootRotation,
  type CaRotationInput,
  type RootRotationPlan,
} from './ca-rotation-rules.js';
export {
  checkInit,
  checkInitRequest,
  checkJoin,
  checkJoinRequest,
  checkLeave,
  checkRemoteAddrs,
  checkUnlock,
  invalidUnlockKey,
  swarmNotLocked,
  joinAvailability,
  managerLeaveRefused,
  notInSwarmToLeave,
  notSwarmManager,
  swarmExists,
  type InitRequest,
  type JoinAvailability,
  type JoinRequest,
  type LocalNodeState,
  type Membership,
} from './membership-rules.js';
