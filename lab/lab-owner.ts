// Who owns a lab: the pid and kernel start time of the process that created it, written into the
// lab's run directory, so the sweep can tell a live lab (never touched) from a crashed run's
// leftovers even when the pid has since been reused.

import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ownerPidOf, runDir } from './lab-names.js';

export interface LabOwner {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot when the process started. */
  readonly startTime: string;
  readonly name: string;
  readonly created: string;
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export async function writeOwner(id: string, name: string): Promise<void> {
  const owner: LabOwner = {
    pid: process.pid,
    startTime: startTimeOf(process.pid) ?? '',
    name,
    created: new Date().toISOString(),
  };
  await writeFile(join(runDir(id), 'owner.json'), JSON.stringify(owner));
}

export function readOwner(id: string): LabOwner | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(runDir(id), 'owner.json'), 'utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'pid' in parsed &&
      typeof parsed.pid === 'number' &&
      'startTime' in parsed &&
      typeof parsed.startTime === 'string'
    ) {
      const name = 'name' in parsed && typeof parsed.name === 'string' ? parsed.name : '';
      const created = 'created' in parsed && typeof parsed.created === 'string' ? parsed.created : '';
      return { pid: parsed.pid, startTime: parsed.startTime, name, created };
    }
  } catch {
    // no owner file (or a torn one): fall back to the pid in the id
  }
  return undefined;
}

/** Whether the process that created lab `id` is still running. */
export function ownerAlive(id: string): boolean {
  const owner = readOwner(id);
  if (owner) return startTimeOf(owner.pid) === owner.startTime;
  return startTimeOf(ownerPidOf(id)) !== undefined;
}
