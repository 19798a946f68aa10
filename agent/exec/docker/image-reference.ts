// Splitting an image reference the way the engine's pull endpoint wants it: `fromImage` plus a
// `tag` (without one the engine would pull every tag of the repository), and the registry host
// a reference names (for choosing credentials).

export interface ImageReference {
  /** Repository, with registry host if any: "nginx", "localhost:5000/team/app". */
  repository: string;
  /** Tag; absent when the reference pins a digest. */
  tag?: string;
  /** "sha256:…" when the reference pins one. */
  digest?: string;
  /** Registry host ("docker.io" when the reference names none). */
  registry: string;
}

export function parseImageReference(ref: string): ImageReference {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const first = rest.split('/')[0] ?? '';
  const hasHost = rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const out: ImageReference = { repository: rest, registry: hasHost ? first : 'docker.io' };
  if (digest !== undefined) out.digest = digest;
  else out.tag = tag ?? 'latest';
  return out;
}

/** The query of POST /images/create for the reference. */
export function pullQuery(ref: ImageReference): { fromImage: string; tag: string } {
  if (ref.digest !== undefined) return { fromImage: `${ref.repository}@${ref.digest}`, tag: '' };
  return { fromImage: ref.repository, tag: ref.tag ?? 'latest' };
}
