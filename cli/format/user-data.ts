// `shoal swarm join-token --user-data`: deploy/openstack/user-data.sh with the swarm's manager
// address, join token, role and release URL written into its settings block, and the matching
// `nova boot` line. The script still reads meta.ip/meta.token/meta.role from the instance
// metadata first, so the printed `--meta` flags and the values written in agree.

import { readFile } from 'node:fs/promises';

export interface UserDataSettings {
  /** The manager's cluster address, "IP:PORT" (as Swarm.RemoteManagers has it). */
  readonly managerAddr: string;
  readonly token: string;
  readonly role: 'worker' | 'manager';
  /** Where instances download the release tarball; empty: shoal is already in the image. */
  readonly tarball: string;
}

export class UserDataError extends Error {
  readonly code = 'USER_DATA';
  constructor(message: string) {
    super(message);
    this.name = 'UserDataError';
  }
}

const TOKEN_RE = /^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/;

/** deploy/openstack/user-data.sh, from the source tree or from an installed release. */
export const USER_DATA_TEMPLATE_URL = new URL('../../../deploy/openstack/user-data.sh', import.meta.url);

export async function readUserDataTemplate(url: URL = USER_DATA_TEMPLATE_URL): Promise<string> {
  try {
    return await readFile(url, 'utf8');
  } catch (e: unknown) {
    throw new UserDataError(
      `cannot read the user-data template ${url.pathname}: ${e instanceof Error ? e.message : String(e)} (is this a complete shoal release?)`,
    );
  }
}

/** "10.0.0.5" for the default cluster port, else the address as it is: what `--meta ip=` takes. */
export function metaIp(managerAddr: string): string {
  return managerAddr.endsWith(':2377') ? managerAddr.slice(0, -':2377'.length) : managerAddr;
}

/** A value for a `"${NAME:-value}"` default in bash: escapes what double quotes would expand. */
function shellDefault(value: string): string {
  if (/[\n\r\0]/.test(value)) throw new UserDataError('a user-data setting must be a single line');
  return value.replace(/[\\"$`}]/g, (c) => `\\${c}`);
}

function setDefault(script: string, name: string, value: string): string {
  const line = new RegExp(`^${name}="\\$\\{${name}:-[^\\n]*\\}"$`, 'm');
  if (!line.test(script)) {
    throw new UserDataError(`the user-data template has no ${name}="\${${name}:-…}" line to fill in`);
  }
  return script.replace(line, () => `${name}="\${${name}:-${shellDefault(value)}}"`);
}

/** The template with the settings written in, and a comment saying where it came from. */
export function renderUserData(template: string, s: UserDataSettings): string {
  if (!TOKEN_RE.test(s.token)) {
    throw new UserDataError(`"${s.token.slice(0, 16)}…" is not a join token (SWMTKN-1-<digest>-<secret>)`);
  }
  if (!/^[0-9A-Za-z.:[\]_-]+$/.test(s.managerAddr)) {
    throw new UserDataError(`"${s.managerAddr}" is not a manager address`);
  }
  if (s.tarball !== '' && !/^(https?:\/\/|\/)\S+$/.test(s.tarball)) {
    throw new UserDataError(`--release-url ${s.tarball}: expected an http(s) URL or an absolute path`);
  }
  let out = setDefault(template, 'SHOAL_MANAGER_IP', metaIp(s.managerAddr));
  out = setDefault(out, 'SHOAL_JOIN_TOKEN', s.token);
  out = setDefault(out, 'SHOAL_ROLE', s.role);
  out = setDefault(out, 'SHOAL_TARBALL', s.tarball);
  const firstNewline = out.indexOf('\n');
  const header = `# Written by \`shoal swarm join-token --user-data ${s.role}\` for the swarm at ${s.managerAddr}.\n`;
  return firstNewline < 0
    ? `${out}\n${header}`
    : `${out.slice(0, firstNewline + 1)}${header}${out.slice(firstNewline + 1)}`;
}

/** What to type next (for stderr): the `nova boot` line with the matching `--meta` flags. */
export function novaBootHint(s: UserDataSettings, scriptName = 'user-data.sh'): string {
  const name = s.role === 'worker' ? 'worker' : 'manager';
  let out = `Save the script above as ${scriptName} and boot ${name}s with it, e.g.:\n\n`;
  out += `    nova boot --flavor FLAVOR --image IMAGE --nic net-id=NETWORK --user-data ${scriptName} --meta ip=${metaIp(s.managerAddr)} --meta token=${s.token} --meta role=${s.role} ${name}\n\n`;
  if (s.tarball === '') {
    out +=
      'No --release-url was given: the script expects shoal to be installed in the image already.\n' +
      'To have it installed at boot, pass --release-url with the URL of shoal-<version>-linux-<arch>.tar.gz.\n';
  }
  return out;
}
