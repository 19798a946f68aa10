// The Docker Engine API JSON shapes (swarm subset, API v1.41) that the shoal CLI reads and
// writes, derived from the TypeBox schemas in api/docker/ that the server validates requests
// with and builds its answers by: one definition of Docker's JSON for both ends. Requests use
// the request schemas' types (every field optional, as Docker's decoder takes them). The spec
// parts keep their Docker names (DockerServiceSpec, DockerMount, ...): the object model in
// api/objects has its own ServiceSpec, Mount, ... in shoal's shape.

export type { DockerNodeSpec } from '../../api/docker/node-spec.js';
export type {
  DockerContainerSpec,
  DockerEndpointSpec,
  DockerHealthConfig,
  DockerMount,
  DockerNetworkAttachmentConfig,
  DockerPlacement,
  DockerPortConfig,
  DockerRestartPolicy,
  DockerServiceMode,
  DockerServiceSpec,
  DockerTaskSpec,
  DockerUpdateConfig,
} from '../../api/docker/service-spec.js';
import type { DockerPlacement, DockerTaskSpec } from '../../api/docker/service-spec.js';
import type { DockerInitRequest, DockerJoinRequest, DockerSwarmSpec } from '../../api/docker/swarm.js';

export type { DockerObjectVersion } from '../../api/docker/object-meta.js';
export type { DockerTLSInfo } from '../../api/docker/tls-info.js';
export type {
  DockerService,
  DockerServiceCreateResponse,
  DockerServiceUpdateResponse,
  DockerUpdateState,
  DockerFailureAction,
  DockerUpdateOrder,
  DockerPortProtocol,
  DockerPublishMode,
} from '../../api/docker/service.js';
export type { DockerTask, DockerTaskState } from '../../api/docker/task.js';
export type { DockerNode, DockerNodeRole, DockerNodeAvailability } from '../../api/docker/node.js';
export type { DockerSwarm } from '../../api/docker/cluster.js';
export type {
  DockerSwarmInfo,
  DockerSystemInfo,
  DockerLocalNodeState,
} from '../../api/docker/system-info.js';
export type { DockerSystemVersion, DockerVersionComponent } from '../../api/docker/system-version.js';

// ---- request bodies (and the specs Docker echoes back in the shape it takes them) ----

export type ResourceSpec = NonNullable<NonNullable<DockerTaskSpec['Resources']>['Limits']>;
export type DockerPlacementPreference = NonNullable<DockerPlacement['Preferences']>[number];
export type SwarmSpec = DockerSwarmSpec;
export type SwarmInitRequest = DockerInitRequest;
export type SwarmJoinRequest = DockerJoinRequest;

// ---- CLI-side values (not JSON bodies) ----

/** The rotate flags of POST /swarm/update, sent as query parameters. */
export interface SwarmUpdateFlags {
  rotateWorkerToken: boolean;
  rotateManagerToken: boolean;
  rotateManagerUnlockKey: boolean;
}

/** Filter values by name as the CLI gathers them; on the wire (encodeFilters) `{"name": {"web": true}}`. */
export type FilterArgs = Readonly<Record<string, readonly string[]>>;
