// After interpolation every substituted value is a string; where the specification wants a
// number or a boolean, a value that came out of a ${...} is read as one (as the docker CLI
// does for the same places), so `replicas: ${N}` validates as an integer.

type Kind = 'int' | 'float' | 'bool';

const S = 'services.*';
const CASTS: readonly (readonly [string, Kind])[] = [
  [`${S}.ports.*.target`, 'int'],
  [`${S}.ports.*.published`, 'int'],
  [`${S}.ulimits.*`, 'int'],
  [`${S}.ulimits.*.hard`, 'int'],
  [`${S}.ulimits.*.soft`, 'int'],
  [`${S}.privileged`, 'bool'],
  [`${S}.read_only`, 'bool'],
  [`${S}.stdin_open`, 'bool'],
  [`${S}.tty`, 'bool'],
  [`${S}.init`, 'bool'],
  [`${S}.healthcheck.retries`, 'int'],
  [`${S}.healthcheck.disable`, 'bool'],
  [`${S}.deploy.replicas`, 'int'],
  [`${S}.deploy.update_config.parallelism`, 'int'],
  [`${S}.deploy.update_config.max_failure_ratio`, 'float'],
  [`${S}.deploy.rollback_config.parallelism`, 'int'],
  [`${S}.deploy.rollback_config.max_failure_ratio`, 'float'],
  [`${S}.deploy.restart_policy.max_attempts`, 'int'],
  [`${S}.deploy.placement.max_replicas_per_node`, 'int'],
  [`${S}.secrets.*.mode`, 'int'],
  [`${S}.configs.*.mode`, 'int'],
  ['networks.*.external', 'bool'],
  ['networks.*.internal', 'bool'],
  ['networks.*.attachable', 'bool'],
  ['volumes.*.external', 'bool'],
  ['secrets.*.external', 'bool'],
  ['configs.*.external', 'bool'],
];

function matches(pattern: string, path: readonly (string | number)[]): boolean {
  const parts = pattern.split('.');
  return parts.length === path.length && parts.every((p, i) => p === '*' || p === String(path[i]));
}

/** The value an interpolated string stands for at `path` (unchanged when it is not a number/bool there). */
export function castInterpolated(path: readonly (string | number)[], value: string): unknown {
  const rule = CASTS.find(([pattern]) => matches(pattern, path));
  if (rule === undefined) return value;
  const [, kind] = rule;
  if (kind === 'bool') {
    const v = value.toLowerCase();
    if (['true', 'yes', 'y', 'on'].includes(v)) return true;
    if (['false', 'no', 'n', 'off'].includes(v)) return false;
    return value;
  }
  if (kind === 'int') return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
}
