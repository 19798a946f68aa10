// The API socket's permissions, as Docker sets /var/run/docker.sock: mode 0660, owned by the
// daemon's user and the `docker` group when that group exists (so its members may use the
// API), else the daemon's own group. Its directory, when shoald creates it, is 0755 so the
// group's members can reach the socket; the socket itself is created under shoald's 0o077
// umask (data-root.ts), so it is never open to others, even before the chmod.

import { chmod, chown, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeDirs } from './data-root.js';

export const API_SOCKET_MODE = 0o660;
export const API_SOCKET_DIR_MODE = 0o755;
/** The group Docker gives its socket to (dockerd --group's default). */
export const API_SOCKET_GROUP = 'docker';

export interface SocketLogger {
  warn(obj: object, msg: string): void;
}

/** The ID of group `name` in an /etc/group-format file, or undefined if it has none. */
export async function groupId(name: string, groupFile = '/etc/group'): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(groupFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/** Creates the socket's directory if missing (0755, every new level). */
export async function makeApiSocketDir(socketPath: string): Promise<void> {
  await makeDirs(dirname(socketPath), API_SOCKET_DIR_MODE);
}

/** Sets the listening socket's mode and group as Docker does. */
export async function secureApiSocket(
  socketPath: string,
  logger: SocketLogger,
  groupFile = '/etc/group',
): Promise<{ mode: number; gid: number | undefined }> {
  await chmod(socketPath, API_SOCKET_MODE);
  const gid = await groupId(API_SOCKET_GROUP, groupFile);
  if (gid === undefined) return { mode: API_SOCKET_MODE, gid: undefined };
  try {
    await chown(socketPath, process.getuid?.() ?? -1, gid);
    return { mode: API_SOCKET_MODE, gid };
  } catch (e: unknown) {
    // As dockerd with its default group: a socket it cannot give to the group still serves.
    logger.warn(
      { socket: socketPath, group: API_SOCKET_GROUP, err: (e as Error).message },
      `could not give the API socket to group ${API_SOCKET_GROUP}; only its owner can use it`,
    );
    return { mode: API_SOCKET_MODE, gid: undefined };
  }
}
