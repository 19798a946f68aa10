// Running the unmodified docker CLI (Debian's docker.io) against a shoal API socket, as
// docker-cli.integration.test.ts does: locate the binary, run one command, capture its output.

import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface DockerRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function findDocker(): string {
  const candidates = [
    '/usr/bin/docker',
    ...(process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, 'docker')),
  ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next one
    }
  }
  throw new Error('the docker CLI is needed for this test: apt-get install docker.io');
}

/**
 * Runs `docker -H unix://<socket> args...` with a private config directory under `home`;
 * `input`, when given, is the command's stdin (`docker secret create NAME -`).
 */
export function runDocker(
  socket: string,
  home: string,
  args: readonly string[],
  dockerBin = findDocker(),
  input?: string,
): Promise<DockerRun> {
  return new Promise((resolve) => {
    const child = execFile(
      dockerBin,
      ['-H', `unix://${socket}`, ...args],
      {
        env: { PATH: process.env['PATH'] ?? '', HOME: home, DOCKER_CONFIG: join(home, '.docker') },
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}
