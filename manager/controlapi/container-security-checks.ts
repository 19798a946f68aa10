// The checks of a container spec's security and process limits (Privileges, Ulimits,
// OomScoreAdj, the pids limit). Docker's API stores these unchecked and the engine refuses a
// bad one when the task's container is created, so every task of the service is rejected;
// shoal refuses them at the API with the engine's words, before anything is proposed.

import type { ContainerSpec, Privileges, Ulimit } from '../store/index.js';
import { checkCount, checkInteger, checkString } from './field-checks.js';
import * as L from './limits.js';
import { badRequest, invalidArgument } from './refusal.js';

const WHERE = 'ContainerSpec: Privileges';

function checkSeccomp(seccomp: NonNullable<Privileges['seccomp']>): void {
  const profile = seccomp.profile;
  if (profile === undefined) {
    if (seccomp.mode === 'custom') {
      throw badRequest(`${WHERE}: Seccomp mode "custom" needs the profile (Seccomp.Profile)`);
    }
    return;
  }
  // The whole spec is bounded before this runs, so decoding cannot grow without bound.
  const text = Buffer.from(profile, 'base64');
  if (text.length > L.MAX_SECCOMP_PROFILE_BYTES) {
    throw invalidArgument(
      `${WHERE}: Seccomp.Profile is ${text.length} bytes, more than the limit of ${L.MAX_SECCOMP_PROFILE_BYTES}`,
    );
  }
  if (seccomp.mode !== 'custom') return;
  try {
    JSON.parse(text.toString('utf8'));
  } catch (e: unknown) {
    throw badRequest(`Decoding seccomp profile failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function checkPrivileges(p: Privileges): void {
  const c = p.credentialSpec;
  if (c !== undefined) {
    checkString(`${WHERE}: CredentialSpec.Config`, c.config, L.MAX_SHORT_STRING_BYTES);
    checkString(`${WHERE}: CredentialSpec.File`, c.file, L.MAX_PATH_BYTES);
    checkString(`${WHERE}: CredentialSpec.Registry`, c.registry, L.MAX_SHORT_STRING_BYTES);
  }
  const s = p.seLinuxContext;
  if (s !== undefined) {
    for (const [name, value] of [
      ['User', s.user],
      ['Role', s.role],
      ['Type', s.type],
      ['Level', s.level],
    ] as const) {
      checkString(`${WHERE}: SELinuxContext.${name}`, value, L.MAX_SELINUX_LABEL_BYTES);
    }
  }
  if (p.seccomp !== undefined) checkSeccomp(p.seccomp);
}

/** go-units' ParseUlimit rules, with its words. */
function checkUlimits(ulimits: readonly Ulimit[]): void {
  checkCount('ContainerSpec: Ulimits', ulimits, L.MAX_ULIMITS);
  const seen = new Set<string>();
  for (const u of ulimits) {
    checkString('ContainerSpec: Ulimits: Name', u.name, L.MAX_SHORT_STRING_BYTES);
    if (!L.ULIMIT_NAMES.includes(u.name)) throw badRequest(`invalid ulimit type: ${u.name}`);
    if (seen.has(u.name)) throw badRequest(`ContainerSpec: Ulimits: duplicate ulimit ${u.name}`);
    seen.add(u.name);
    for (const [name, value] of [
      ['Soft', u.soft],
      ['Hard', u.hard],
    ] as const) {
      checkInteger(`ContainerSpec: Ulimits: ${u.name}: ${name}`, value, -1, Number.MAX_SAFE_INTEGER);
    }
    if (u.hard !== -1) {
      if (u.soft === -1) {
        throw badRequest(
          `ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${u.hard}`,
        );
      }
      if (u.soft > u.hard) {
        throw badRequest(`ulimit soft limit must be less than or equal to hard limit: ${u.soft} > ${u.hard}`);
      }
    }
  }
}

/** Privileges, Ulimits, Isolation and OomScoreAdj of one container spec. */
export function checkContainerSecurity(c: ContainerSpec): void {
  if (c.privileges !== undefined) checkPrivileges(c.privileges);
  if (c.ulimits !== undefined) checkUlimits(c.ulimits);
  if (c.isolation !== undefined)
    checkString('ContainerSpec: Isolation', c.isolation, L.MAX_SHORT_STRING_BYTES);
  const oom = c.oomScoreAdj;
  if (
    oom !== undefined &&
    (!Number.isSafeInteger(oom) || oom < L.MIN_OOM_SCORE_ADJ || oom > L.MAX_OOM_SCORE_ADJ)
  ) {
    throw badRequest(
      `Invalid value ${oom}, range for oom score adj is [${L.MIN_OOM_SCORE_ADJ}, ${L.MAX_OOM_SCORE_ADJ}]`,
    );
  }
}

/** The pids limit: any int64 Docker takes; only a positive one limits (as dockerd applies it). */
export function checkPidsLimit(pids: number | undefined): void {
  if (pids === undefined) return;
  checkInteger('Resources: Limits.Pids', pids, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
}
