// go-units' HumanDuration: how the docker CLI says "how long ago" ("2 minutes", "About an
// hour"). Input in milliseconds.

export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** "Running 2 minutes ago" style: the state, then the lower-cased duration since `timestamp`. */
export function sinceText(timestamp: string, nowMs: number): string {
  const t = Date.parse(timestamp);
  const elapsed = Number.isNaN(t) ? Number.POSITIVE_INFINITY : nowMs - t;
  if (!Number.isFinite(elapsed)) return 'a long time';
  return humanDuration(elapsed).toLowerCase();
}
