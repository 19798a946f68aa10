// The docker CLI's small display helpers: PrettyPrint (first letter upper, the rest lower),
// ID truncation, Go's default time.Time text, and Ellipsis.

export function prettyPrint(value: string | undefined | null): string {
  if (value === undefined || value === null) return 'None';
  if (value === '') return '';
  return value.charAt(0).toUpperCase() + value.slice(1).toLowerCase();
}

export function truncateId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}

/** formatter.Ellipsis: cut to `max` code points, the last one an ellipsis. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return '…';
  return chars.slice(0, max - 1).join('') + '…';
}

/**
 * Go's time.Time.String() for an RFC 3339 timestamp from the API:
 * "2026-11-25 08:20:23.191722927 +0000 UTC" (fraction trimmed of trailing zeros).
 */
export function goTimeString(rfc3339: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(rfc3339);
  if (m === null) return rfc3339;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const zone = m[4] ?? 'Z';
  const offset = zone === 'Z' ? '+0000 UTC' : `${zone.replace(':', '')} ${zone.replace(':', '')}`;
  return `${m[1] ?? ''} ${m[2] ?? ''}${frac === '' ? '' : `.${frac}`} ${offset}`;
}
