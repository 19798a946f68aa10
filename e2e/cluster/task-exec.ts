// Running a command inside a service's task in the lab: the first running container of the
// service found on the given hosts' engines (by the label shoal gives every task container).

import { eventually, type ShoalLab } from './shoal-lab.js';
import { ok } from './cli-output.js';

/** `sh -c script` in a running container of `service` on one of `hosts`; answers its stdout. */
export async function execInTask(
  s: ShoalLab,
  hosts: readonly number[],
  service: string,
  script: string,
): Promise<string> {
  const found = await eventually(`a running ${service} container`, async () => {
    for (const h of hosts) {
      const out = await ok(
        s.engine(h, ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`]),
      );
      const id = out.trim().split('\n')[0];
      if (id) return { h, id };
    }
    return undefined;
  });
  return ok(s.engine(found.h, ['exec', found.id, 'sh', '-c', script]));
}
