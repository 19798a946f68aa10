// The Docker Engine API objects the API answers with (swarm subset), as Docker's JSON spells
// them. Specs reuse the request schemas' types: Docker echoes a spec in the shape it takes one.

import type { DockerNodeSpec } from '../../../api/docker/node-spec.js';
import type {
  DockerEndpointSpec,
  DockerPortConfig,
  DockerServiceSpec,
  DockerTaskSpec,
} from '../../../api/docker/service-spec.js';
import type { DockerSwarmSpec } from '../../../api/docker/swarm.js';

export interface DockerVersion {
  Index: number;
}

export interface DockerMeta {
  Version: DockerVersion;
  CreatedAt: string;
  UpdatedAt: string;
}

export interface DockerServiceStatus {
  RunningTasks: number;
  DesiredTasks: number;
  CompletedTasks: number;
}

export interface DockerService extends DockerMeta {
  ID: string;
  Spec: DockerServiceSpec;
  PreviousSpec?: DockerServiceSpec;
  Endpoint: {
    Spec: DockerEndpointSpec;
    Ports?: DockerPortConfig[];
    VirtualIPs?: { NetworkID: string; Addr: string }[];
  };
  UpdateStatus?: { State?: string; StartedAt?: string; CompletedAt?: string; Message?: string };
  ServiceStatus?: DockerServiceStatus;
  JobStatus?: { JobIteration: DockerVersion; LastExecution?: string };
}

export interface DockerTLSInfo {
  TrustRoot?: string;
  CertIssuerSubject?: string;
  CertIssuerPublicKey?: string;
}

export interface DockerNode extends DockerMeta {
  ID: string;
  Spec: DockerNodeSpec;
  Description: {
    Hostname?: string;
    Platform?: { Architecture?: string; OS?: string };
    Resources?: { NanoCPUs?: number; MemoryBytes?: number };
    Engine?: {
      EngineVersion?: string;
      Labels?: Record<string, string>;
      Plugins?: { Type: string; Name: string }[];
    };
    TLSInfo?: DockerTLSInfo;
  };
  Status: { State: string; Message?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability: string; Addr: string };
}

export interface DockerTask extends DockerMeta {
  ID: string;
  Labels: Record<string, string>;
  Spec: DockerTaskSpec;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  Status: {
    Timestamp: string;
    State: string;
    Message?: string;
    Err?: string;
    ContainerStatus: { ContainerID?: string; PID?: number; ExitCode?: number };
    PortStatus: { Ports?: DockerPortConfig[] };
  };
  DesiredState: string;
  NetworksAttachments?: { Network: { ID: string; Spec?: { Name: string } }; Addresses: string[] }[];
  JobIteration?: DockerVersion;
}

export interface DockerClusterInfo extends DockerMeta {
  ID: string;
  Spec: DockerSwarmSpec;
  TLSInfo: DockerTLSInfo;
  RootRotationInProgress: boolean;
  DefaultAddrPool: string[];
  SubnetSize: number;
  DataPathPort: number;
}

export interface DockerSwarm extends DockerClusterInfo {
  JoinTokens: { Worker: string; Manager: string };
}
