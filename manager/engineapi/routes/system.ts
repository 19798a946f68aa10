// /_ping, /version and /info: what the docker CLI asks first (it negotiates its API version
// from /_ping's headers) and what `docker info` / `docker version` print.

import { arch as osArch, release } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { DockerSystemInfo } from '../../../api/docker/system-info.js';
import type { DockerSystemVersion } from '../../../api/docker/system-version.js';
import { API_VERSION, MIN_API_VERSION } from '../api-version.js';
import type { RouteContext } from '../context.js';
import type { EngineFacts } from '../swarm-control.js';
import { mergedInfo, mergedVersion } from './engine-merge.js';
import { swarmInfo } from './swarm-info.js';

/** Go's GOARCH for node's process.arch. */
export function goArch(nodeArch: string = osArch()): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
  };
  return map[nodeArch] ?? nodeArch;
}

/**
 * GET /info's body: the fields Docker's schema names, typed by it, and the rest of what dockerd
 * sends (the docker CLI prints some of them), as dockerd sends them.
 */
type InfoBody = DockerSystemInfo & Readonly<Record<string, unknown>>;

function swarmHeader(ctx: RouteContext): string {
  const state = ctx.control.localNodeState();
  if (state !== 'active') return state;
  return ctx.control.isManager() ? 'active/manager' : 'active/worker';
}

async function engineFacts(ctx: RouteContext): Promise<EngineFacts | undefined> {
  try {
    return await ctx.control.engine();
  } catch {
    return undefined;
  }
}

export function registerSystemRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/_ping', (_request, reply) =>
    reply
      .header('Cache-Control', 'no-cache, no-store, must-revalidate')
      .header('Pragma', 'no-cache')
      .header('Swarm', swarmHeader(ctx))
      .type('text/plain; charset=utf-8')
      .send('OK'),
  );

  app.get('/version', async (_request, reply) => {
    const b = ctx.build;
    const details = {
      ApiVersion: API_VERSION,
      Arch: goArch(),
      BuildTime: b.buildTime ?? '',
      Experimental: 'false',
      GitCommit: b.gitCommit ?? '',
      GoVersion: `node ${process.version}`,
      KernelVersion: release(),
      MinAPIVersion: MIN_API_VERSION,
      Os: 'linux',
    };
    const body: DockerSystemVersion = {
      Platform: { Name: 'shoal' },
      Components: [{ Name: 'Engine', Version: b.version, Details: details }],
      Version: b.version,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: details.GitCommit,
      GoVersion: details.GoVersion,
      Os: 'linux',
      Arch: details.Arch,
      KernelVersion: details.KernelVersion,
      BuildTime: details.BuildTime,
    };
    return reply.send(await mergedVersion(ctx.engine, body));
  });

  app.get('/info', async () => {
    const e = await engineFacts(ctx);
    const body: InfoBody = {
      ID: ctx.control.nodeId() ?? '',
      Containers: 0,
      ContainersRunning: 0,
      ContainersPaused: 0,
      ContainersStopped: 0,
      Images: 0,
      Driver: '',
      DriverStatus: null,
      Plugins: { Volume: ['local'], Network: ['overlay'], Authorization: null, Log: ['json-file'] },
      MemoryLimit: true,
      SwapLimit: true,
      KernelMemory: false,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: true,
      BridgeNfIptables: true,
      BridgeNfIp6tables: true,
      Debug: false,
      NFd: 0,
      OomKillDisable: false,
      NGoroutines: 0,
      SystemTime: ctx.clock().toISOString(),
      LoggingDriver: 'json-file',
      CgroupDriver: 'systemd',
      CgroupVersion: '2',
      NEventsListener: 0,
      KernelVersion: e?.kernelVersion ?? release(),
      OperatingSystem: e?.operatingSystem ?? 'linux',
      OSVersion: '',
      OSType: e?.osType ?? 'linux',
      Architecture: e?.architecture ?? goArch(),
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: {
        AllowNondistributableArtifactsCIDRs: [],
        AllowNondistributableArtifactsHostnames: [],
        InsecureRegistryCIDRs: ['127.0.0.0/8'],
        IndexConfigs: {},
        Mirrors: [],
      },
      NCPU: e?.ncpu ?? 0,
      MemTotal: e?.memTotal ?? 0,
      GenericResources: null,
      DockerRootDir: '',
      HttpProxy: '',
      HttpsProxy: '',
      NoProxy: '',
      Name: e?.name ?? '',
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: ctx.build.version,
      Runtimes: { runc: { path: 'runc' } },
      DefaultRuntime: 'runc',
      Swarm: swarmInfo(ctx.control),
      LiveRestoreEnabled: false,
      Isolation: '',
      InitBinary: 'docker-init',
      ContainerdCommit: { ID: '', Expected: '' },
      RuncCommit: { ID: '', Expected: '' },
      InitCommit: { ID: '', Expected: '' },
      SecurityOptions: [],
      Warnings: null,
    };
    // The engine's containers, images, storage, runtimes…, with this node's swarm.
    return mergedInfo(ctx.engine, body);
  });
}
