// A service that uses secrets and configs, for `service inspect --pretty`. Not a recording (the
// dockerd the other fixtures come from ran before shoal had secrets): it is written in dockerd's
// `GET /services/{id}?insertDefaults=true` shape, as `docker service create --name vault
// --secret db_password --secret source=tls_key,target=server.key,uid=101,gid=101,mode=0400
// --config source=nginx_conf,target=/etc/nginx/conf.d/default.conf --config app_settings
// --mount type=volume,source=vault-data,target=/data busybox sleep 3600` leaves it, referring to
// the secrets and configs fixture-secrets.ts seeds. The golden that uses it was printed by the
// real docker CLI 28.2.2 against the fixture server answering with this object.
import type { DockerService } from '../../client/types.js';

const FILE = { UID: '0', GID: '0', Mode: 0o444 };
const UPDATE = {
  Parallelism: 1,
  FailureAction: 'pause',
  Monitor: 5e9,
  MaxFailureRatio: 0,
  Order: 'stop-first',
};

export const secretService: DockerService = {
  ID: 'k4vq9n2m7c1x8z5b3w6r0t2y7',
  Version: { Index: 52 },
  CreatedAt: '2026-11-25T08:21:02.118402756Z',
  UpdatedAt: '2026-11-25T08:21:02.119630143Z',
  Spec: {
    Name: 'vault',
    Labels: {},
    TaskTemplate: {
      ContainerSpec: {
        Image: 'busybox:latest',
        Args: ['sleep', '3600'],
        Init: false,
        Mounts: [{ Type: 'volume', Source: 'vault-data', Target: '/data' }],
        StopGracePeriod: 10_000_000_000,
        DNSConfig: {},
        Secrets: [
          {
            File: { Name: 'db_password', ...FILE },
            SecretID: 'q7ssbxw1wp3hp7a7y5k8rkj2d',
            SecretName: 'db_password',
          },
          {
            File: { Name: 'server.key', UID: '101', GID: '101', Mode: 0o400 },
            SecretID: '5m1eggyb8ybw2o9pgq4ztqfcv',
            SecretName: 'tls_key',
          },
        ],
        Configs: [
          {
            File: { Name: '/etc/nginx/conf.d/default.conf', ...FILE },
            ConfigID: 'z3h0lyg8k2t3f6i1u9w2x4c5v',
            ConfigName: 'nginx_conf',
          },
          {
            File: { Name: 'app_settings', ...FILE },
            ConfigID: 'a8e4ry1m6wq0b5n2c7v9p3j1k',
            ConfigName: 'app_settings',
          },
        ],
        Isolation: 'default',
      },
      Resources: { Limits: {}, Reservations: {} },
      RestartPolicy: { Condition: 'any', Delay: 5_000_000_000, MaxAttempts: 0 },
      Placement: {},
      ForceUpdate: 0,
      Runtime: 'container',
    },
    Mode: { Replicated: { Replicas: 1 } },
    UpdateConfig: UPDATE,
    RollbackConfig: UPDATE,
    EndpointSpec: { Mode: 'vip' },
  },
  Endpoint: { Spec: { Mode: 'vip' } },
};
