// The Docker Engine API objects the API answers with (swarm subset), derived from the schemas in
// api/docker/ that the CLI reads them by: one definition of Docker's JSON for both ends.

export type { DockerMeta, DockerObjectVersion as DockerVersion } from '../../../api/docker/object-meta.js';
export type { DockerService, DockerServiceStatus } from '../../../api/docker/service.js';
export type { DockerTLSInfo } from '../../../api/docker/tls-info.js';
export type { DockerNode } from '../../../api/docker/node.js';
export type { DockerTask } from '../../../api/docker/task.js';
export type { DockerClusterInfo, DockerSwarm } from '../../../api/docker/cluster.js';
