// Loads the Docker API responses recorded from a real dockerd (cli/test/fixtures/*.json).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type {
  DockerNode,
  DockerService,
  DockerSwarm,
  DockerSystemInfo,
  DockerSystemVersion,
  DockerTask,
} from '../../client/types.js';

// Compiled tests live in dist/cli/test/support; the fixtures stay in the source tree.
const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_DIR = join(here, '..', '..', '..', '..', 'cli', 'test', 'fixtures');
export const GOLDEN_DIR = join(here, '..', '..', '..', '..', 'cli', 'test', 'golden');

function load(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8'));
}

export function golden(name: string): string {
  return readFileSync(join(GOLDEN_DIR, name), 'utf8');
}

interface Recorded<T> {
  command: string;
  body: T;
}

export interface ClusterFixture {
  recordedAt: string;
  responses: {
    '/version': Recorded<DockerSystemVersion>;
    '/info': Recorded<DockerSystemInfo>;
    '/swarm': Recorded<DockerSwarm>;
    '/nodes': Recorded<DockerNode[]>;
    '/services?status=true': Recorded<DockerService[]>;
    '/tasks': Recorded<DockerTask[]>;
  };
  servicesWithDefaults: Record<string, DockerService>;
}

export interface Exchange {
  command: string;
  method: string;
  url: string;
  requestBody: unknown;
  status: number;
  body: unknown;
}

export const cluster = load('cluster.json') as ClusterFixture;
export const exchanges = load('exchanges.json') as Record<string, Exchange>;
export const logsLogger = load('logs-logger.json') as { bodyBase64: string };
export const recordedAtMs = Date.parse(cluster.recordedAt);
