// ContainerSpec.Privileges, Ulimits and Isolation: Docker's JSON <-> the store's. Enumerations
// are checked here (an unknown mode is refused rather than read as the default, which would
// silently run the container with a profile the user did not ask for); sizes and ranges are
// the control layer's (manager/controlapi/service-limits.ts).

import type { AppArmorMode, CredentialSpec, Privileges, SeccompMode, Ulimit } from '../../store/index.js';
import { invalidParameter } from '../errors.js';
import type { DockerPrivileges, DockerUlimit } from '../../../api/docker/service-spec.js';
import { goBase64 } from './base64.js';

const SECCOMP_MODES: readonly SeccompMode[] = ['default', 'unconfined', 'custom'];
const APPARMOR_MODES: readonly AppArmorMode[] = ['default', 'disabled'];
/** Docker's container.Isolation values; compared without case, as Docker does. */
const ISOLATIONS = ['default', 'process', 'hyperv'] as const;

/** An empty mode is the default one (Docker's enum zero value), read back as "default". */
function mode<T extends string>(given: string | undefined, allowed: readonly T[], name: string): T {
  const m = given ?? '';
  if (m === '') return allowed[0]!;
  if (!(allowed as readonly string[]).includes(m))
    throw invalidParameter(`invalid ${name}: ${JSON.stringify(m)}`);
  return m as T;
}

/**
 * Docker's credentialSpecToGRPC: exactly one of config, file and registry, refused with its
 * words otherwise.
 */
function credentialSpecToStore(c: NonNullable<DockerPrivileges['CredentialSpec']>): CredentialSpec {
  const sources: [string, string | undefined][] = [
    ['config', c.Config],
    ['file', c.File],
    ['registry', c.Registry],
  ];
  const named = sources.filter(([, v]) => v !== undefined && v !== '').map(([k]) => `"${k}"`);
  if (named.length === 0) {
    throw invalidParameter(
      'invalid CredentialSpec: must either provide "file", "registry", or "config" for credential spec',
    );
  }
  if (named.length === 2) {
    throw invalidParameter(
      `invalid CredentialSpec: cannot specify both ${named[0]} and ${named[1]} credential specs`,
    );
  }
  if (named.length > 2) {
    throw invalidParameter(
      `invalid CredentialSpec: cannot specify both ${named.slice(0, -1).join(', ')}, and ${named.at(-1)} credential specs`,
    );
  }
  return { config: c.Config ?? '', file: c.File ?? '', registry: c.Registry ?? '' };
}

export function privilegesToStore(p: DockerPrivileges): Privileges {
  const out: Privileges = { noNewPrivileges: p.NoNewPrivileges ?? false };
  if (p.CredentialSpec !== undefined) out.credentialSpec = credentialSpecToStore(p.CredentialSpec);
  if (p.SELinuxContext !== undefined) {
    const s = p.SELinuxContext;
    out.seLinuxContext = {
      disable: s.Disable ?? false,
      user: s.User ?? '',
      role: s.Role ?? '',
      type: s.Type ?? '',
      level: s.Level ?? '',
    };
  }
  if (p.Seccomp !== undefined) {
    out.seccomp = { mode: mode(p.Seccomp.Mode, SECCOMP_MODES, 'SeccompMode') };
    const profile = p.Seccomp.Profile ?? '';
    if (profile !== '') out.seccomp.profile = goBase64(profile);
  }
  if (p.AppArmor !== undefined)
    out.appArmor = { mode: mode(p.AppArmor.Mode, APPARMOR_MODES, 'AppArmorMode') };
  return out;
}

/** As Docker reads it back: CredentialSpec and SELinuxContext when set, NoNewPrivileges always. */
export function privilegesFromStore(p: Privileges): DockerPrivileges {
  const out: DockerPrivileges = {};
  if (p.credentialSpec !== undefined) {
    const c = p.credentialSpec;
    out.CredentialSpec = { Config: c.config, File: c.file, Registry: c.registry };
  }
  if (p.seLinuxContext !== undefined) {
    const s = p.seLinuxContext;
    out.SELinuxContext = { Disable: s.disable, User: s.user, Role: s.role, Type: s.type, Level: s.level };
  }
  if (p.seccomp !== undefined) {
    out.Seccomp = { Mode: p.seccomp.mode };
    if (p.seccomp.profile !== undefined) out.Seccomp.Profile = p.seccomp.profile;
  }
  if (p.appArmor !== undefined) out.AppArmor = { Mode: p.appArmor.mode };
  out.NoNewPrivileges = p.noNewPrivileges;
  return out;
}

export function ulimitsToStore(u: readonly DockerUlimit[]): Ulimit[] {
  return u.map((x) => ({ name: x.Name ?? '', soft: x.Soft ?? 0, hard: x.Hard ?? 0 }));
}

export function ulimitsFromStore(u: readonly Ulimit[]): DockerUlimit[] {
  return u.map((x) => ({ Name: x.name, Hard: x.hard, Soft: x.soft }));
}

/**
 * Docker keeps "process" and "hyperv" (any case) and reads everything else back as "default";
 * shoal refuses what Docker would silently turn into the default.
 */
export function isolationToStore(i: string | undefined): string | undefined {
  const given = (i ?? '').toLowerCase();
  if (given === '') return undefined;
  if (!(ISOLATIONS as readonly string[]).includes(given)) {
    throw invalidParameter(`invalid isolation: ${JSON.stringify(i)}`);
  }
  return given === 'default' ? undefined : given;
}

/** Docker reads Isolation back on every container spec, "default" when none was chosen. */
export function isolationFromStore(i: string | undefined): string {
  return i ?? 'default';
}
